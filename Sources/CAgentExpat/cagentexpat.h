#ifndef CAGENTEXPAT_H
#define CAGENTEXPAT_H
#include <expat.h>
#endif
