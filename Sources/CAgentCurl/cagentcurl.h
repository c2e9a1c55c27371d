#ifndef CAGENTCURL_H
#define CAGENTCURL_H
#include <curl/curl.h>

/* curl_easy_setopt and curl_easy_getinfo are variadic: one typed wrapper per argument type. */
static inline CURLcode cagent_setopt_long(CURL *h, CURLoption o, long v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode cagent_setopt_off(CURL *h, CURLoption o, curl_off_t v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode cagent_setopt_string(CURL *h, CURLoption o, const char *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode cagent_setopt_pointer(CURL *h, CURLoption o, void *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode cagent_setopt_slist(CURL *h, CURLoption o, struct curl_slist *v) { return curl_easy_setopt(h, o, v); }

typedef size_t (*cagent_data_callback)(char *ptr, size_t size, size_t nmemb, void *userdata);
typedef int (*cagent_xferinfo_callback)(void *userdata, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow);
static inline CURLcode cagent_setopt_data_callback(CURL *h, CURLoption o, cagent_data_callback v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode cagent_setopt_xferinfo_callback(CURL *h, CURLoption o, cagent_xferinfo_callback v) { return curl_easy_setopt(h, o, v); }

static inline CURLcode cagent_getinfo_long(CURL *h, CURLINFO i, long *v) { return curl_easy_getinfo(h, i, v); }
static inline CURLcode cagent_getinfo_off(CURL *h, CURLINFO i, curl_off_t *v) { return curl_easy_getinfo(h, i, v); }
static inline CURLcode cagent_getinfo_string(CURL *h, CURLINFO i, char **v) { return curl_easy_getinfo(h, i, v); }

static inline long cagent_auth_basic(void) { return (long)CURLAUTH_BASIC; }
static inline long cagent_sslversion_tlsv1_2(void) { return (long)CURL_SSLVERSION_TLSv1_2; }
static inline long cagent_http_version_1_1(void) { return (long)CURL_HTTP_VERSION_1_1; }
static inline curl_off_t cagent_readfunc_abort(void) { return (curl_off_t)CURL_READFUNC_ABORT; }
static inline long cagent_global_default(void) { return (long)CURL_GLOBAL_DEFAULT; }
static inline int cagent_error_size(void) { return CURL_ERROR_SIZE; }
static inline long cagent_http_version_2tls(void) { return (long)CURL_HTTP_VERSION_2TLS; }
#endif
