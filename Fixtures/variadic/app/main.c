#include <stdio.h>
#include <string.h>
#include "easy.h"
#include "vfs.h"

struct sink {
    char text[300];
    size_t used;
    int calls;
};

static struct sink collected;

static size_t write_cb(const char *data, size_t len, void *user)
{
    struct sink *s = user;
    if (s->used + len >= sizeof s->text) len = sizeof s->text - s->used - 1;
    memcpy(s->text + s->used, data, len);
    s->used += len;
    s->text[s->used] = 0;
    s->calls++;
    return len;
}

static void transfer(const char *host, int port, float ratio, char separator, enum easy_proto proto)
{
    EASY *h = easy_init();
    char url[64];
    snprintf(url, sizeof url, "http://%s:%d/index", host, port);
    printf("setopt url: %d\n", easy_setopt(h, EASYOPT_URL, url));
    printf("setopt write: %d\n", easy_setopt(h, EASYOPT_WRITEFUNCTION, write_cb));
    printf("setopt data: %d\n", easy_setopt(h, EASYOPT_WRITEDATA, &collected));
    printf("setopt ratio: %d\n", easy_setopt(h, EASYOPT_RATIO, ratio));
    printf("setopt separator: %d\n", easy_setopt(h, EASYOPT_SEPARATOR, separator));
    printf("setopt protocol: %d\n", easy_setopt(h, EASYOPT_PROTOCOL, proto));
    printf("setopt maxsize: %d\n", easy_setopt(h, EASYOPT_MAXSIZE, sizeof collected.text));
    printf("setopt resume: %d\n", easy_setopt(h, EASYOPT_RESUME_FROM, (long long)port << 33));
    printf("setopt timeout: %d\n", EASY_SET_TIMEOUT(h, port / 1000));
    printf("perform: %d\n", easy_perform(h));
    long code = 0;
    double total = 0;
    int rc = easy_getinfo(h, EASYINFO_RESPONSE_CODE, &code);
    printf("getinfo code: %d %ld\n", rc, code);
    rc = easy_getinfo(h, EASYINFO_TOTAL_TIME, &total);
    printf("getinfo time: %d %.3f\n", rc, total);
    easy_cleanup(h);
    printf("received (%d calls): %s\n", collected.calls, collected.text);
    collected.used = 0;
}

int main(void)
{
    printf("open: %d\n", vfs_open("notes.txt", VFS_RDONLY));
    printf("open: %d\n", vfs_open("new.txt", VFS_CREAT, (mode_t)0644));
    printf("open: %d\n", vfs_open_ro("macro.txt"));
    printf("open: %d\n", vfs_open_ro("again.txt"));
    printf("files: %d\n", vfs_count());

    EASY *h = easy_init();
    printf("setopt literal url: %d\n", easy_setopt(h, EASYOPT_URL, "http://example.org/"));
    printf("setopt timeout: %d\n", EASY_SET_TIMEOUT(h, 5));
    printf("setopt unknown: %d\n", easy_setopt(h, (EASYoption)99, 1.5, 2L));
    printf("perform without a callback: %d\n", easy_perform(h));
    easy_cleanup(h);

    transfer("localhost", 8080, 0.75f, ';', EASY_PROTO_HTTP);
    transfer("example.net", 21000, 1.5f, '&', EASY_PROTO_FTP);
    return 0;
}
