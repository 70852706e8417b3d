// The system zlib (Debian: zlib1g-dev), for monitor serve's Content-Encoding: gzip.
#include <zlib.h>
