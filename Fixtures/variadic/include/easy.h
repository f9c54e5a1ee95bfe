#ifndef EASY_H
#define EASY_H
#include <stddef.h>

typedef struct easy EASY;
typedef size_t (*easy_write_fn)(const char *data, size_t len, void *user);

typedef enum {
    EASYOPT_TIMEOUT = 1,      /* long */
    EASYOPT_URL,              /* const char * (copied) */
    EASYOPT_WRITEFUNCTION,    /* easy_write_fn */
    EASYOPT_WRITEDATA,        /* void * */
    EASYOPT_RATIO,            /* double */
    EASYOPT_SEPARATOR,        /* int (a char, promoted) */
    EASYOPT_PROTOCOL,         /* int (an enum easy_proto) */
    EASYOPT_MAXSIZE,          /* size_t */
    EASYOPT_RESUME_FROM,      /* long long */
} EASYoption;

typedef enum { EASYINFO_RESPONSE_CODE = 1 /* long * */, EASYINFO_TOTAL_TIME /* double * */ } EASYinfo;
enum easy_proto { EASY_PROTO_HTTP = 1, EASY_PROTO_FTP = 2 };

EASY *easy_init(void);
int easy_setopt(EASY *h, EASYoption option, ...);
int easy_perform(EASY *h);
int easy_getinfo(EASY *h, EASYinfo info, ...);
void easy_cleanup(EASY *h);

#define EASY_SET_TIMEOUT(h, seconds) easy_setopt((h), EASYOPT_TIMEOUT, (long)(seconds))

#endif
