/* args.c — an example's options from a table (see args.h). */
#include "args.h"

#include "errors.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

const char *args_parse(int argc, char **argv, const struct args_option *options,
                       const char *operand, const char *usage, void (*help)(void))
{
    const char *found = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *value = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            help();
            exit(0);
        }
        const struct args_option *o = options;
        while (o->name != NULL && strcmp(a, o->name) != 0)
            o++;
        if (o->name == NULL && a[0] == '-' && a[1] != '\0')
            die_usage(usage, "unknown option '%.30s' (see --help)", a);
        if (o->name == NULL) { /* an operand */
            if (operand == NULL)
                die_usage(usage, "unexpected argument '%.30s' (see --help)", a);
            if (found != NULL)
                die_usage(usage, "one %s only: '%.25s' and '%.25s'", operand, found, a);
            found = a;
            continue;
        }
        switch (o->kind) {
        case ARGS_FLAG:
            *(bool *)o->value = true;
            continue;
        case ARGS_INT:
            *(int *)o->value = (int)parse_whole_or_die(usage, a, value, o->min, o->max);
            break;
        case ARGS_SECONDS:
            *(double *)o->value = parse_seconds_or_die(usage, a, value);
            break;
        case ARGS_TEXT:
            if (value == NULL)
                die_usage(usage, "%s needs %s", a, o->what != NULL ? o->what : "a value");
            *(const char **)o->value = value;
            break;
        }
        i++; /* the value */
    }
    return found;
}
