/* ascii.h — character classes for bytes off the network, ASCII only.
 *
 * Not <ctype.h>: its classes depend on the locale and take an int that must not be a
 * negative char. A URL, an HTTP header or an href is ASCII by protocol, whatever the
 * locale, and these take any byte. Used by url.c, http.c and links.c.
 */
#ifndef ASYNCLAB_ASCII_H
#define ASYNCLAB_ASCII_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

static inline bool ascii_is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static inline bool ascii_is_alpha(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static inline bool ascii_is_hex(unsigned char c)
{
    return ascii_is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* HTML's "ASCII whitespace": space, tab, LF, FF, CR. */
static inline bool ascii_is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

static inline unsigned char ascii_to_lower(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c - 'A' + 'a') : c;
}

/* The n bytes at s are word, ignoring ASCII case ("Content-Length", "HREF", "HTTP"). */
static inline bool ascii_equals_nocase(const char *s, size_t n, const char *word)
{
    if (strlen(word) != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (ascii_to_lower((unsigned char)s[i]) != ascii_to_lower((unsigned char)word[i]))
            return false;
    return true;
}

#endif
