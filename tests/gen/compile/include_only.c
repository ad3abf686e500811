/* Compiled with `-include HEADER` (as C or C++): a golden header must build on its own. */
