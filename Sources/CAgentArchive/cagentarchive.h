#ifndef CAGENTARCHIVE_H
#define CAGENTARCHIVE_H
#include <archive.h>
#include <archive_entry.h>
#include <unistd.h>

/* File-type macros of archive_entry.h carry casts Swift does not import. */
static inline unsigned int cagent_ae_ifmt(void) { return (unsigned int)AE_IFMT; }
static inline unsigned int cagent_ae_ifreg(void) { return (unsigned int)AE_IFREG; }
static inline unsigned int cagent_ae_ifdir(void) { return (unsigned int)AE_IFDIR; }
static inline unsigned int cagent_ae_iflnk(void) { return (unsigned int)AE_IFLNK; }
static inline unsigned int cagent_ae_ifchr(void) { return (unsigned int)AE_IFCHR; }
static inline unsigned int cagent_ae_ifblk(void) { return (unsigned int)AE_IFBLK; }
static inline unsigned int cagent_ae_ififo(void) { return (unsigned int)AE_IFIFO; }
static inline unsigned int cagent_ae_ifsock(void) { return (unsigned int)AE_IFSOCK; }

/* Gives the calling thread its own working directory (unshare(CLONE_FS), Linux) and moves it to dirfd, so
   libarchive can extract relative names into one directory without changing the process's directory.
   Returns 0, or -1 with errno set. */
extern int unshare(int);
static inline int cagent_thread_private_chdir(int dirfd) {
    if (unshare(0x00000200 /* CLONE_FS */) != 0) return -1;
    return fchdir(dirfd);
}
#endif
