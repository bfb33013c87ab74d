/* fetch.c — see fetch.h. */
#include "fetch.h"
#include "errors.h"
#include "net.h"

#include <errno.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

/* recv until the parser has a verdict; the reason goes to why on HTTP_ERROR. */
static enum http_result receive_response(int fd, double timeout_s, struct http_response *r,
                                         char *why, size_t why_size)
{
    char buffer[16384], cause[128];
    for (;;) {
        ssize_t n = recv(fd, buffer, sizeof buffer, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            snprintf(why, why_size, "timed out: no data for %g s", timeout_s);
            return HTTP_ERROR;
        }
        if (n < 0) {
            snprintf(why, why_size, "recv: %s", errno_describe(errno, cause, sizeof cause));
            return HTTP_ERROR;
        }
        enum http_result result =
            n == 0 ? http_response_finish(r) : http_response_feed(r, buffer, (size_t)n);
        if (result == HTTP_ERROR)
            snprintf(why, why_size, "%s", r->error);
        if (result != HTTP_MORE)
            return result;
    }
}

enum http_result fetch_blocking(const struct url *url, double timeout_s,
                                struct http_response *response, char *why, size_t why_size)
{
    http_response_init(response, 0, 0);
    int fd = net_connect(url->host, url->port, timeout_s, why, why_size);
    if (fd < 0)
        return HTTP_ERROR;
    char request[URL_TEXT_MAX + 256], cause[128];
    int length = http_format_request(url, request, sizeof request);
    enum http_result result = HTTP_ERROR;
    if (net_set_timeouts(fd, timeout_s) != 0)
        snprintf(why, why_size, "setsockopt: %s", errno_describe(errno, cause, sizeof cause));
    else if (length < 0)
        snprintf(why, why_size, "send: request too long");
    else if (net_write_all(fd, request, (size_t)length) < 0)
        snprintf(why, why_size, "send: %s", errno_describe(errno, cause, sizeof cause));
    else
        result = receive_response(fd, timeout_s, response, why, why_size);
    close(fd);
    return result;
}
