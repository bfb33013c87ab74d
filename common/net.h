/* net.h — the few socket calls every example needs, with their error handling done once.
 *
 * Functions that can fail for a reason worth showing the user fill `why` with one line
 * naming the operation and the cause ("connect 127.0.0.1:1: ECONNREFUSED Connection
 * refused") and return -1; they never exit.
 */
#ifndef ASYNCLAB_NET_H
#define ASYNCLAB_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

enum { NET_WHY_MAX = 512 };

struct addrinfo;

/* Resolve host:port (IPv4 or IPv6, numeric port) once: the list for connect(), freed with
 * net_resolve_free(). NULL with the reason in why ("resolve nonexistent.invalid:80: ..."). */
struct addrinfo *net_resolve(const char *host, int port, char *why, size_t why_size);
void net_resolve_free(struct addrinfo *list);

/* Resolve host:port and start a non-blocking connect. Returns a non-blocking descriptor
 * whose connect is in progress (or already done); wait for it to become writable, then
 * ask net_connect_result(). Returns -1 with the reason in why. */
int net_connect_start(const char *host, int port, char *why, size_t why_size);

/* After a non-blocking connect reported writable: 0 if connected, otherwise the errno
 * the connect failed with (read with getsockopt(SO_ERROR)). */
int net_connect_result(int fd);

/* A listening TCP socket on 127.0.0.1 only (never all interfaces). port 0 lets the
 * kernel pick a free port; the port actually bound is stored in *bound_port.
 * Returns the descriptor, or -1 with errno set. */
int net_listen_loopback(int port, int backlog, int *bound_port);

/* Did a call on a non-blocking descriptor fail only because it would have had to wait?
 * (EAGAIN, or EWOULDBLOCK, which POSIX allows to be a different number.) */
bool net_would_block(int err);

/* Turn O_NONBLOCK on or off. Returns 0, or -1 with errno set. */
int net_set_nonblocking(int fd, bool on);

/* The one-line reason for a failed operation on host:port, as the functions above give it:
 * "connect 127.0.0.1:1: ECONNREFUSED Connection refused". For engines that finish a
 * non-blocking connect themselves (errnum from net_connect_result()). */
void net_describe_failure(const char *op, const char *host, int port, int errnum, char *why,
                          size_t why_size);

#endif
