#include <stdio.h>
#include "lib.h"

int main(void)
{
    unsigned char bytes[4] = { 1, 2, 3, 4 };
    struct point pts[2] = { { 1, 2 }, { 3, 4 } };
    int vals[3] = { 5, 6, 7 };
    int a, b, fds[2];
    long counter = 41;
    struct config cfg;
    char name[16];
    char msg[] = "digest me";

    printf("words %d\n", count_words("three little words"));
    printf("checksum %u\n", checksum(bytes, sizeof bytes));
    fill_bytes(bytes, 2, 9);
    printf("filled %d %d %d\n", bytes[0], bytes[1], bytes[2]);
    printf("points %d total %d\n", sum_points(pts, 2), total(vals, 3));
    get_pair(&a, &b);
    bump(&counter);
    read_config(&cfg);
    printf("pair %d %d counter %ld config %d %ld\n", a, b, counter, cfg.verbose, cfg.limit);
    printf("copy %d %s\n", copy_name(name, sizeof name, "lib"), name);
    printf("digest %u\n", digest(msg, sizeof msg));
    pipe_pair(fds);
    printf("fds %d %d\n", fds[0], fds[1]);
    printf("%s, origin %d %d, %s\n", version_name(), origin()->x, origin()->y, kind_name(3));
    struct session *s = session_open();
    session_send(s, 2);
    printf("sent %d\n", session_send(s, 3));
    return 0;
}
