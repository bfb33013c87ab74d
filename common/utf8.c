/* utf8.c — see utf8.h. */
#include "utf8.h"

static int starts_character(char c)
{
    return ((unsigned char)c & 0xC0) != 0x80;
}

int utf8_columns(const char *s, size_t bytes)
{
    int n = 0;
    for (size_t i = 0; i < bytes && s[i] != '\0'; i++)
        n += starts_character(s[i]);
    return n;
}

size_t utf8_offset(const char *s, int column)
{
    size_t i = 0;
    for (int n = 0; s[i] != '\0'; i++)
        if (starts_character(s[i]) && n++ == column)
            break;
    return i;
}
