/* fetch.h — fetch one page with blocking calls: 03-blocking-fetch's fetch without the narration.
 *
 * For engines whose lesson is somewhere else (08's thread pool): each call does, in order,
 * connect (bounded by timeout_s), bound every send and recv by timeout_s, send the GET,
 * recv into the response until it is complete, broken or the server closes, close.
 * 03-blocking-fetch keeps its own copy, narrated step by step: there, this IS the lesson.
 * Uses no global state, so several threads may fetch at once.
 */
#ifndef ASYNCLAB_FETCH_H
#define ASYNCLAB_FETCH_H

#include <stddef.h>

#include "http.h"
#include "url.h"

/* Fetch url into *response (initialised here; the caller frees it with
 * http_response_free() whatever the result). Returns HTTP_DONE for a complete response
 * (any status), or HTTP_ERROR with one line in why: "connect 127.0.0.1:1: ECONNREFUSED
 * Connection refused", "timed out: no data for 2 s", "connection closed mid-body ...". */
enum http_result fetch_blocking(const struct url *url, double timeout_s,
                                struct http_response *response, char *why, size_t why_size);

#endif
