/* corokit's lwIP configuration: single-threaded (NO_SYS=1), raw/callback API only, driven by the
 * executor of one PD (executor/net/NetStack.h). Pools and windows are sized for a PD with up to a
 * few dozen TCP connections and 512 Rx buffers (PROTOCOLS.md §4.1); see docs/net.md. */
#ifndef COROKIT_LWIPOPTS_H
#define COROKIT_LWIPOPTS_H

/* One thread, no OS: lwIP runs only inside the PD's executor turns. */
#define NO_SYS 1
#define SYS_LIGHTWEIGHT_PROT 0
#define LWIP_NETCONN 0
#define LWIP_SOCKET 0
#define LWIP_TIMERS 1
#define LWIP_CALLBACK_API 1

/* Memory: lwIP's own heap and pools, in the PD's .bss (no malloc). */
#define MEM_LIBC_MALLOC 0
#define MEMP_MEM_MALLOC 0
#define MEM_ALIGNMENT 8
#define MEM_SIZE (8 * 1024 * 1024)
#define MEMP_NUM_PBUF (1024 + MEMP_NUM_TCP_SEG)  /* PBUF_REF/ROM headers: one per zero-copy TCP segment */
#define MEMP_NUM_RAW_PCB 4
#define MEMP_NUM_UDP_PCB 16
#define MEMP_NUM_TCP_PCB 160
#define MEMP_NUM_TCP_PCB_LISTEN 8
#define MEMP_NUM_TCP_SEG 4096
#define MEMP_NUM_REASSDATA 16
#define MEMP_NUM_FRAG_PBUF 64
#define MEMP_NUM_ARP_QUEUE 128
#define MEMP_NUM_SYS_TIMEOUT (LWIP_NUM_SYS_TIMEOUT_INTERNAL + 4)
#define PBUF_POOL_SIZE 256
#define PBUF_POOL_BUFSIZE 1536

/* The netif: Ethernet, frames copied once into a Tx buffer; Rx buffers referenced (PBUF_REF). */
#define LWIP_ARP 1
#define LWIP_ETHERNET 1
#define ARP_QUEUEING 1
#define ARP_TABLE_SIZE 32
#define ETHARP_SUPPORT_STATIC_ENTRIES 0
#define LWIP_NETIF_TX_SINGLE_PBUF 0
#define LWIP_NETIF_STATUS_CALLBACK 1
#define LWIP_NETIF_LINK_CALLBACK 1
#define LWIP_NETIF_LOOPBACK 0
#define LWIP_HAVE_LOOPIF 0
#define LWIP_SINGLE_NETIF 1
#define LWIP_SUPPORT_CUSTOM_PBUF 1
/* A frame kept beyond the call that sends it (ARP and neighbour-discovery queues) is copied unless
 * its pbufs own their data: PBUF_ROM pbufs refer to memory lent by TcpStream::write_borrowed, which
 * is released when lwIP's segments are, not when such a queue lets go. */
#define PBUF_NEEDS_COPY(p) (((p)->type_internal & PBUF_TYPE_FLAG_STRUCT_DATA_CONTIGUOUS) == 0)

/* IPv4 with DHCP, IGMP (multicast); IPv6 with SLAAC, as Debian's build enables it. */
#define LWIP_IPV4 1
#define LWIP_DHCP 1
#define DHCP_DOES_ARP_CHECK 0
#define LWIP_AUTOIP 0
#define LWIP_IGMP 1
#define LWIP_ICMP 1
#define LWIP_RAW 0
#define LWIP_DNS 0
#define IP_REASSEMBLY 1
#define IP_FRAG 1
#define IP_REASS_MAX_PBUFS 64
#define LWIP_IPV6 1
#define LWIP_IPV6_AUTOCONFIG 1
#define LWIP_IPV6_MLD 1
#define LWIP_IPV6_SEND_ROUTER_SOLICIT 1
#define LWIP_IPV6_DUP_DETECT_ATTEMPTS 1
#define LWIP_IPV6_NUM_ADDRESSES 3
#define LWIP_IPV6_DHCP6 0
#define LWIP_IPV6_FRAG 1
#define LWIP_IPV6_REASS 1
#define IPV6_FRAG_COPYHEADER 1  /* 64-bit pointers do not fit the fragment header */
#define MEMP_NUM_MLD6_GROUP 8

/* UDP and TCP. Window and send buffer with window scaling; the receive window stays well below
 * what the Rx buffers can hold so one connection cannot pin them all. */
#define LWIP_UDP 1
#define LWIP_TCP 1
#define TCP_MSS 1460
#define LWIP_WND_SCALE 1
#define TCP_RCV_SCALE 2
#define TCP_WND (128 * 1024)
#define TCP_SND_BUF (256 * 1024)
#define TCP_SND_QUEUELEN ((4 * TCP_SND_BUF + (TCP_MSS - 1)) / TCP_MSS)
#define TCP_SNDLOWAT (32 * 1024)
#define TCP_SNDQUEUELOWAT (TCP_SND_QUEUELEN / 2)
#define TCP_QUEUE_OOSEQ 1
#define TCP_OOSEQ_MAX_PBUFS 64
#define TCP_LISTEN_BACKLOG 1
#define TCP_DEFAULT_LISTEN_BACKLOG 16
#define TCP_OVERSIZE TCP_MSS
#define LWIP_TCP_KEEPALIVE 1
#define LWIP_TCP_TIMESTAMPS 0
#define LWIP_TCP_SACK_OUT 0
#define LWIP_RANDOMIZE_INITIAL_LOCAL_PORTS 1

/* Checksums in software, both directions (TAP and slirp deliver them as on a wire). */
#define CHECKSUM_GEN_IP 1
#define CHECKSUM_GEN_UDP 1
#define CHECKSUM_GEN_TCP 1
#define CHECKSUM_GEN_ICMP 1
#define CHECKSUM_CHECK_IP 1
#define CHECKSUM_CHECK_UDP 1
#define CHECKSUM_CHECK_TCP 1
#define LWIP_CHECKSUM_ON_COPY 1

#define LWIP_STATS 0
#define LWIP_STATS_DISPLAY 0
#define LWIP_PROVIDE_ERRNO 1

#endif
