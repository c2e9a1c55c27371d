#ifndef CAGENTARCHIVE_H
#define CAGENTARCHIVE_H
#include <archive.h>
#include <archive_entry.h>
#endif
