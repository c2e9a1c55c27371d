#ifndef CAGENTOPENSSL_H
#define CAGENTOPENSSL_H
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/err.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <openssl/pem.h>
#include <openssl/cms.h>
#include <openssl/pkcs7.h>
#include <openssl/crypto.h>

/* Macros and variadic helpers wrapped for Swift. */
static inline EVP_PKEY *cagent_rsa_generate(unsigned int bits) { return EVP_RSA_gen(bits); }
static inline long cagent_bio_mem_data(BIO *b, char **p) { return BIO_get_mem_data(b, p); }
static inline void cagent_openssl_free(void *p) { OPENSSL_free(p); }
#endif
