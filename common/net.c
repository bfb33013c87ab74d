/* net.c — see net.h. */
#include "net.h"
#include "errors.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

/* "host:port", for messages (IPv6 literals get brackets). */
static void format_address(const char *host, int port, char *buf, size_t size)
{
    if (strchr(host, ':') != NULL)
        snprintf(buf, size, "[%s]:%d", host, port);
    else
        snprintf(buf, size, "%s:%d", host, port);
}

static void set_why(char *why, size_t why_size, const char *op, const char *host, int port,
                    const char *cause)
{
    char address[300];
    format_address(host, port, address, sizeof address);
    snprintf(why, why_size, "%s %s: %s", op, address, cause);
}

void net_describe_failure(const char *op, const char *host, int port, int errnum, char *why,
                          size_t why_size)
{
    char cause[128];
    set_why(why, why_size, op, host, port, errno_describe(errnum, cause, sizeof cause));
}

/* getaddrinfo with the port as a number; the caller frees the list. */
static struct addrinfo *resolve(const char *host, int port, char *why, size_t why_size)
{
    struct addrinfo hints = {
        .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV};
    struct addrinfo *list = NULL;
    char service[16];
    snprintf(service, sizeof service, "%d", port);
    int rc = getaddrinfo(host, service, &hints, &list);
    if (rc != 0) {
        const char *cause = rc == EAI_SYSTEM ? strerror(errno) : gai_strerror(rc);
        set_why(why, why_size, "resolve", host, port, cause);
        return NULL;
    }
    return list;
}

bool net_would_block(int err)
{
    return err == EAGAIN || err == EWOULDBLOCK;
}

int net_set_nonblocking(int fd, bool on)
{
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0)
        return -1;
    flags = on ? flags | O_NONBLOCK : flags & ~O_NONBLOCK;
    return fcntl(fd, F_SETFL, flags);
}

int net_connect_result(int fd)
{
    int err = 0;
    socklen_t len = sizeof err;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
        return errno;
    return err;
}

/* One address, one non-blocking socket, connect started. Returns the descriptor (its
 * connect under way or done), or -1 with the errno in *err. */
static int try_address(const struct addrinfo *ai, int *err)
{
    int fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
    if (fd < 0) {
        *err = errno;
        return -1;
    }
    if (net_set_nonblocking(fd, true) != 0)
        *err = errno;
    else if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0 || errno == EINPROGRESS)
        *err = 0; /* connected already, or under way: the caller waits for writable */
    else
        *err = errno;
    if (*err == 0)
        return fd;
    close(fd);
    return -1;
}

struct addrinfo *net_resolve(const char *host, int port, char *why, size_t why_size)
{
    return resolve(host, port, why, why_size);
}

void net_resolve_free(struct addrinfo *list)
{
    if (list != NULL)
        freeaddrinfo(list);
}

int net_connect_start(const char *host, int port, char *why, size_t why_size)
{
    struct addrinfo *list = resolve(host, port, why, why_size);
    if (list == NULL)
        return -1;
    int fd = -1, err = 0;
    for (struct addrinfo *ai = list; ai != NULL && fd < 0; ai = ai->ai_next)
        fd = try_address(ai, &err);
    freeaddrinfo(list);
    if (fd < 0)
        net_describe_failure("connect", host, port, err, why, why_size);
    return fd;
}

int net_listen_loopback(int port, int backlog, int *bound_port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    int one = 1;
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK); /* 127.0.0.1: never other interfaces */
    socklen_t len = sizeof addr;
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        bind(fd, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(fd, backlog) != 0 ||
        getsockname(fd, (struct sockaddr *)&addr, &len) != 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    if (bound_port != NULL)
        *bound_port = ntohs(addr.sin_port);
    return fd;
}
