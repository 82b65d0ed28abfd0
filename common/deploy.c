#include <ctype.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <strings.h>

#include <yaml.h>

#include "deploy.h"
#include "fileio.h"
#include "names.h"
#include "strv.h"

/* The whole file is read into memory first; a deployment is a few hundred
 * bytes, so these limits only stop abuse. */
#define DEPLOY_MAX_BYTES       (1024 * 1024)
#define DEPLOY_MAX_DEPTH       16
#define DEPLOY_MAX_NODES       10000
#define DEPLOY_MAX_ERRORS      50
#define DEPLOY_SUBJECT_MAX     64 /* X.520 upper bound for O and OU, in characters */
#define DEPLOY_SERVICE_MAX     63
#define DEPLOY_KEY_SUGGEST_MAX 64 /* longer keys get no "did you mean" */
#define DEPLOY_SHOW_MAX        60 /* characters of a user's text quoted in a message */
#define DEPLOY_SHOW_BUF        (DEPLOY_SHOW_MAX * 4 + sizeof("..."))

/* ---------------------------------------------------------------------------
 * Stage 1: libyaml events into a small tree that remembers positions. */

typedef enum NodeType {
        NODE_SCALAR,
        NODE_SEQUENCE,
        NODE_MAPPING,
        NODE_REFUSED, /* an alias: already reported, every check skips it */
} NodeType;

typedef struct Node {
        NodeType type;
        int line, column;    /* 1-based */
        char *value;         /* scalar text, NUL-terminated */
        size_t len;          /* bytes of value (a "\0" escape may embed a NUL) */
        bool plain;          /* scalar written without quotes */
        struct Node **items; /* sequence: entries; mapping: key, value, key, value, ... */
        size_t n_items;
} Node;

typedef struct Parser {
        const char *path;
        const char *data;
        size_t len;
        Findings *findings;
        yaml_parser_t yaml;
        bool initialized; /* yaml needs yaml_parser_delete() */
        size_t n_nodes;
        unsigned n_errors;
} Parser;

static Node *node_free(Node *n) {
        if (!n)
                return NULL;
        for (size_t i = 0; i < n->n_items; i++)
                node_free(n->items[i]);
        free(n->items);
        free(n->value);
        free(n);
        return NULL;
}
DEFINE_PTR_CLEANUP(Node, node_free)

static void yaml_event_deletep(yaml_event_t *e) {
        yaml_event_delete(e);
}

static void parser_done(Parser *p) {
        if (p->initialized)
                yaml_parser_delete(&p->yaml);
}

/* A user's text, safe to quote in a one-line message: control characters
 * become '?', long text is cut at a character boundary and ends in "...". */
static const char *show(const char *s, size_t len, char buf[static DEPLOY_SHOW_BUF]) {
        size_t o = 0, chars = 0, i = 0;

        while (i < len) {
                unsigned char c = (unsigned char) s[i];
                size_t w = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;

                if (chars == DEPLOY_SHOW_MAX) {
                        memcpy(buf + o, "...", 3);
                        o += 3;
                        break;
                }
                if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xc0) || w > len - i) {
                        buf[o++] = '?';
                        w = 1;
                } else {
                        memcpy(buf + o, s + i, w);
                        o += w;
                }
                i += w;
                chars++;
        }
        buf[o] = 0;
        return buf;
}

#define SHOW(n) show((n)->value, (n)->len, (char[DEPLOY_SHOW_BUF]){})

static int add_error(Parser *p, bool capped, int line, int column, const char *hint,
                     const char *fmt, va_list ap) _printf_(6, 0);

static int add_error(Parser *p, bool capped, int line, int column, const char *hint,
                     const char *fmt, va_list ap) {
        _cleanup_(freep) char *msg = NULL;

        p->n_errors++;
        if (capped && p->n_errors > DEPLOY_MAX_ERRORS + 1)
                return 0;
        if (capped && p->n_errors == DEPLOY_MAX_ERRORS + 1)
                return findings_add_at(
                        p->findings, FINDING_CONFIG_INVALID, SEVERITY_ERROR, p->path, line, column,
                        "Correct the errors above, then check the file again.",
                        "more than %d errors; the rest are not reported", DEPLOY_MAX_ERRORS);

        if (vasprintf(&msg, fmt, ap) < 0) {
                msg = NULL;
                return -ENOMEM;
        }
        return findings_add_at(p->findings, FINDING_CONFIG_INVALID, SEVERITY_ERROR, p->path, line,
                               column, hint, "%s", msg);
}

static int error_at(Parser *p, int line, int column, const char *hint, const char *fmt, ...)
        _printf_(5, 6);
static int fatal_at(Parser *p, int line, int column, const char *hint, const char *fmt, ...)
        _printf_(5, 6);

/* Adds one CONFIG_INVALID finding; parsing goes on. After DEPLOY_MAX_ERRORS,
 * one more says the rest were left out. Returns 0 or -ENOMEM. */
static int error_at(Parser *p, int line, int column, const char *hint, const char *fmt, ...) {
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = add_error(p, true, line, column, hint, fmt, ap);
        va_end(ap);
        return r;
}

/* The error that stops parsing (syntax, limits): always reported. Returns
 * -EINVAL or -ENOMEM. */
static int fatal_at(Parser *p, int line, int column, const char *hint, const char *fmt, ...) {
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = add_error(p, false, line, column, hint, fmt, ap);
        va_end(ap);
        return r < 0 ? r : -EINVAL;
}

static int mark_line(const yaml_mark_t *m) {
        return m->line >= INT_MAX ? INT_MAX : (int) m->line + 1;
}

static int mark_column(const yaml_mark_t *m) {
        return m->column >= INT_MAX ? INT_MAX : (int) m->column + 1;
}

/* The line and column (in characters) of a byte offset, for reader errors,
 * which carry an offset instead of a mark. */
static void offset_position(const char *data, size_t len, size_t offset, int *ret_line,
                            int *ret_column) {
        int line = 1, column = 1;

        for (size_t i = 0; i < offset && i < len; i++) {
                unsigned char c = (unsigned char) data[i];

                if (c == '\n') {
                        line++;
                        column = 1;
                } else if (c < 0x80 || c >= 0xc0)
                        column++;
        }
        *ret_line = line;
        *ret_column = column;
}

static bool line_indented_with_tab(const char *d, size_t len, size_t line) {
        size_t i = 0;

        for (size_t l = 0; l < line && i < len; i++)
                if (d[i] == '\n')
                        l++;
        for (; i < len && (d[i] == ' ' || d[i] == '\t'); i++)
                if (d[i] == '\t')
                        return true;
        return false;
}

/* libyaml could not go on: report its problem and stop. */
static int syntax_error(Parser *p) {
        const yaml_parser_t *y = &p->yaml;
        const char *problem = strna(y->problem);
        int line, column;

        if (y->error == YAML_MEMORY_ERROR)
                return -ENOMEM;

        if (y->error != YAML_READER_ERROR) {
                /* The most common syntax error of hand-edited YAML: a tab in
                 * the indentation of the line libyaml stopped at. Found by
                 * line, since libyaml's index counts characters, not bytes. */
                const char *hint = line_indented_with_tab(p->data, p->len, y->problem_mark.line)
                                           ? "YAML does not allow tabs for indentation: indent with spaces."
                                           : NULL;

                line = mark_line(&y->problem_mark);
                column = mark_column(&y->problem_mark);
                if (!y->context)
                        return fatal_at(p, line, column, hint, "YAML syntax error: %s", problem);
                return fatal_at(p, line, column, hint,
                                "YAML syntax error: %s (%s at line %d, column %d)", problem,
                                y->context, mark_line(&y->context_mark),
                                mark_column(&y->context_mark));
        }

        /* Reader errors (encoding, control characters) carry a byte offset. A
         * bad continuation byte is reported at the character it breaks. */
        size_t o = y->problem_offset;
        int value = y->problem_value;

        if (strstr(problem, "trailing") && o <= p->len) {
                size_t lead = o;

                while (lead > 0 && o - lead < 3 &&
                       ((unsigned char) p->data[lead - 1] & 0xc0) == 0x80)
                        lead--;
                if (lead > 0 && (unsigned char) p->data[lead - 1] >= 0xc0) {
                        o = lead - 1;
                        value = (unsigned char) p->data[o];
                }
        }
        offset_position(p->data, p->len, o, &line, &column);
        if (value < 0)
                return fatal_at(p, line, column,
                                "Save the file as UTF-8 text without control characters.",
                                "YAML syntax error: %s", problem);
        return fatal_at(p, line, column, "Save the file as UTF-8 text without control characters.",
                        "YAML syntax error: %s (byte 0x%02x)", problem, (unsigned) value & 0xffu);
}

static int next_event(Parser *p, yaml_event_t *ret) {
        if (!yaml_parser_parse(&p->yaml, ret))
                return syntax_error(p);
        return 0;
}

/* Anchors and tags are refused but the node itself is still read, so that
 * more errors can be found in the same pass. */
static int refuse_decorations(Parser *p, const yaml_event_t *e, const yaml_char_t *anchor,
                              const yaml_char_t *tag) {
        int line = mark_line(&e->start_mark), column = mark_column(&e->start_mark), r;

        if (anchor) {
                r = error_at(p, line, column, "Write the value out in full where it is needed.",
                             "YAML anchors (&%s) are not supported",
                             show((const char *) anchor, strlen((const char *) anchor),
                                  (char[DEPLOY_SHOW_BUF]){}));
                if (r < 0)
                        return r;
        }
        if (tag) {
                r = error_at(p, line, column,
                             "Remove the tag; to make a value a string, put it in quotes.",
                             "YAML tags (%s) are not supported",
                             show((const char *) tag, strlen((const char *) tag),
                                  (char[DEPLOY_SHOW_BUF]){}));
                if (r < 0)
                        return r;
        }
        return 0;
}

static int node_append(Node *parent, Node *child, size_t *allocated) {
        if (parent->n_items >= *allocated) {
                size_t a = *allocated ? *allocated * 2 : 4;
                Node **items = reallocarray(parent->items, a, sizeof(Node *));

                if (!items)
                        return -ENOMEM;
                parent->items = items;
                *allocated = a;
        }
        parent->items[parent->n_items++] = child;
        return 0;
}

/* Builds the node that event e starts (e is owned by the caller). Returns 0,
 * -EINVAL when parsing must stop (already reported) or -ENOMEM. */
static int parse_node(Parser *p, const yaml_event_t *e, unsigned depth, Node **ret) {
        _cleanup_(node_freep) Node *n = NULL;
        yaml_event_type_t end;
        size_t allocated = 0;
        int r;

        if (++p->n_nodes > DEPLOY_MAX_NODES)
                return fatal_at(p, mark_line(&e->start_mark), mark_column(&e->start_mark),
                                "A deployment lists a few dozen names: remove what does not "
                                "belong in it.",
                                "more than %d values in the file", DEPLOY_MAX_NODES);

        n = calloc(1, sizeof(Node));
        if (!n)
                return -ENOMEM;
        n->line = mark_line(&e->start_mark);
        n->column = mark_column(&e->start_mark);

        switch (e->type) {
        case YAML_ALIAS_EVENT:
                n->type = NODE_REFUSED;
                r = error_at(p, n->line, n->column,
                             "Write the value out in full where it is needed.",
                             "YAML aliases (*%s) are not supported",
                             show((const char *) e->data.alias.anchor,
                                  strlen((const char *) e->data.alias.anchor),
                                  (char[DEPLOY_SHOW_BUF]){}));
                if (r < 0)
                        return r;
                *ret = TAKE_PTR(n);
                return 0;

        case YAML_SCALAR_EVENT:
                r = refuse_decorations(p, e, e->data.scalar.anchor, e->data.scalar.tag);
                if (r < 0)
                        return r;
                n->type = NODE_SCALAR;
                n->len = e->data.scalar.length;
                n->value = malloc(n->len + 1);
                if (!n->value)
                        return -ENOMEM;
                memcpy(n->value, e->data.scalar.value, n->len);
                n->value[n->len] = 0;
                n->plain = e->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
                *ret = TAKE_PTR(n);
                return 0;

        case YAML_SEQUENCE_START_EVENT:
                r = refuse_decorations(p, e, e->data.sequence_start.anchor,
                                       e->data.sequence_start.tag);
                n->type = NODE_SEQUENCE;
                end = YAML_SEQUENCE_END_EVENT;
                break;

        case YAML_MAPPING_START_EVENT:
                r = refuse_decorations(p, e, e->data.mapping_start.anchor,
                                       e->data.mapping_start.tag);
                n->type = NODE_MAPPING;
                end = YAML_MAPPING_END_EVENT;
                break;

        default:
                return -EBADMSG; /* libyaml never sends another event here */
        }
        if (r < 0)
                return r;

        if (depth >= DEPLOY_MAX_DEPTH)
                return fatal_at(p, n->line, n->column, NULL, "nested deeper than %d levels",
                                DEPLOY_MAX_DEPTH);

        for (;;) {
                _cleanup_(yaml_event_deletep) yaml_event_t child_event = {};
                _cleanup_(node_freep) Node *child = NULL;

                r = next_event(p, &child_event);
                if (r < 0)
                        return r;
                if (child_event.type == end)
                        break;
                r = parse_node(p, &child_event, depth + 1, &child);
                if (r < 0)
                        return r;
                r = node_append(n, child, &allocated);
                if (r < 0)
                        return r;
                TAKE_PTR(child);
        }

        *ret = TAKE_PTR(n);
        return 0;
}

/* Reads the one document of the stream; *ret = NULL for an empty stream
 * (nothing, or only comments). */
static int parse_document(Parser *p, Node **ret) {
        _cleanup_(node_freep) Node *root = NULL;
        _cleanup_(yaml_event_deletep) yaml_event_t start = {}, doc = {}, node = {}, doc_end = {},
                                                   after = {};
        int r;

        r = next_event(p, &start);
        if (r < 0)
                return r;
        r = next_event(p, &doc);
        if (r < 0)
                return r;
        if (doc.type == YAML_STREAM_END_EVENT) {
                *ret = NULL;
                return 0;
        }

        r = next_event(p, &node);
        if (r < 0)
                return r;
        r = parse_node(p, &node, 0, &root);
        if (r < 0)
                return r;

        r = next_event(p, &doc_end);
        if (r < 0)
                return r;
        r = next_event(p, &after);
        if (r < 0)
                return r;
        if (after.type != YAML_STREAM_END_EVENT)
                return fatal_at(p, mark_line(&after.start_mark), mark_column(&after.start_mark),
                                "Keep the whole deployment in one YAML document (remove the "
                                "'---').",
                                "more than one YAML document");

        *ret = TAKE_PTR(root);
        return 0;
}

/* ---------------------------------------------------------------------------
 * Stage 2: the tree against the schema, every problem reported. */

static const char *const top_keys[] = {"subject", "mcc", "mnc", "services"};
static const char *const subject_keys[] = {"country", "organization", "organizational_unit"};
static const char *const service_keys[] = {"hosts", "addresses"};

static bool node_is_null(const Node *n) {
        if (n->type != NODE_SCALAR || !n->plain)
                return false;
        return n->len == 0 || streq(n->value, "~") || streq(n->value, "null") ||
               streq(n->value, "Null") || streq(n->value, "NULL");
}

/* No value: nothing after the colon, ~, null, or "" (quoted, empty). */
static bool node_is_empty(const Node *n) {
        return n->type == NODE_SCALAR && (n->len == 0 || node_is_null(n));
}

static const char *node_kind(const Node *n) {
        switch (n->type) {
        case NODE_SCALAR:
                return "a single value";
        case NODE_SEQUENCE:
                return "a list";
        case NODE_MAPPING:
                return "a mapping";
        default:
                return "an alias";
        }
}

static size_t levenshtein(const char *a, const char *b) {
        size_t la = strlen(a), lb = strlen(b);
        size_t row[DEPLOY_KEY_SUGGEST_MAX + 1];

        if (la > DEPLOY_KEY_SUGGEST_MAX || lb > DEPLOY_KEY_SUGGEST_MAX)
                return SIZE_MAX;
        for (size_t j = 0; j <= lb; j++)
                row[j] = j;
        for (size_t i = 1; i <= la; i++) {
                size_t diag = row[0];

                row[0] = i;
                for (size_t j = 1; j <= lb; j++) {
                        size_t up = row[j];
                        size_t cost = tolower((unsigned char) a[i - 1]) ==
                                                      tolower((unsigned char) b[j - 1])
                                              ? 0
                                              : 1;
                        size_t best = diag + cost;

                        if (up + 1 < best)
                                best = up + 1;
                        if (row[j - 1] + 1 < best)
                                best = row[j - 1] + 1;
                        row[j] = best;
                        diag = up;
                }
        }
        return row[lb];
}

static bool in_list(const char *key, const char *const *keys, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (strcasecmp(key, keys[i]) == 0)
                        return true;
        return false;
}

static char *join_keys(const char *const *keys, size_t n) {
        _cleanup_(freep) char *s = NULL;
        size_t len = 0;

        for (size_t i = 0; i < n; i++)
                len += strlen(keys[i]) + 2;
        s = malloc(len + 1);
        if (!s)
                return NULL;
        s[0] = 0;
        for (size_t i = 0; i < n; i++) {
                if (i > 0)
                        strcat(s, ", ");
                strcat(s, keys[i]);
        }
        return TAKE_PTR(s);
}

typedef enum Level {
        LEVEL_TOP,
        LEVEL_SUBJECT,
        LEVEL_SERVICE,
} Level;

/* "unknown key 'x'" with the best hint we have: the key belongs at another
 * level; or the nearest known key here; or the list of known keys. */
static int unknown_key(Parser *p, const Node *k, Level level) {
        static const struct {
                const char *const *keys;
                size_t n;
        } levels[] = {
                [LEVEL_TOP] = {top_keys, ELEMENTSOF(top_keys)},
                [LEVEL_SUBJECT] = {subject_keys, ELEMENTSOF(subject_keys)},
                [LEVEL_SERVICE] = {service_keys, ELEMENTSOF(service_keys)},
        };
        const char *const *keys = levels[level].keys;
        size_t n = levels[level].n, best = SIZE_MAX, limit;
        const char *nearest = NULL;
        _cleanup_(freep) char *hint = NULL, *list = NULL;

        if (strlen(k->value) != k->len) /* an embedded NUL */
                return error_at(p, k->line, k->column, NULL, "unknown key '%s'", SHOW(k));

        if (level != LEVEL_SUBJECT && in_list(k->value, subject_keys, ELEMENTSOF(subject_keys)) &&
            asprintf(&hint, "'%s' belongs under 'subject:'", SHOW(k)) < 0)
                return -ENOMEM;
        if (!hint && level != LEVEL_TOP && in_list(k->value, top_keys, ELEMENTSOF(top_keys)) &&
            asprintf(&hint, "'%s' belongs at the top level, not indented", SHOW(k)) < 0)
                return -ENOMEM;
        if (!hint && level != LEVEL_SERVICE &&
            in_list(k->value, service_keys, ELEMENTSOF(service_keys)) &&
            asprintf(&hint, "'%s' belongs under a service: services: {<name>: {%s: [...]}}",
                     SHOW(k), SHOW(k)) < 0)
                return -ENOMEM;
        if (!hint && level == LEVEL_TOP &&
            (streq(k->value, "rem") || streq(k->value, "xcap") || streq(k->value, "bsf")) &&
            asprintf(&hint, "put the service '%s' under 'services:'", k->value) < 0)
                return -ENOMEM;

        if (!hint) {
                limit = k->len / 3 > 2 ? k->len / 3 : 2;
                for (size_t i = 0; i < n; i++) {
                        size_t d = levenshtein(k->value, keys[i]);

                        if (d <= limit && d < best) {
                                best = d;
                                nearest = keys[i];
                        }
                }
                if (nearest && asprintf(&hint, "did you mean '%s'?", nearest) < 0)
                        return -ENOMEM;
        }
        if (!hint) {
                list = join_keys(keys, n);
                if (!list)
                        return -ENOMEM;
                if (asprintf(&hint, "known keys here: %s", list) < 0)
                        return -ENOMEM;
        }

        return error_at(p, k->line, k->column, hint, "unknown key '%s'", SHOW(k));
}

/* Checks the key of the pair at index i of mapping m: a single value, not
 * empty, not a repeat of an earlier key. Returns 1 when the pair should be
 * read, 0 when it was reported (skip it), or -ENOMEM. */
static int check_key(Parser *p, const Node *m, size_t i) {
        const Node *k = m->items[i];
        int r;

        if (k->type == NODE_REFUSED)
                return 0;
        if (k->type != NODE_SCALAR) {
                r = error_at(p, k->line, k->column, "Write keys as plain words, e.g. hosts:.",
                             "a key must be a single word, not %s", node_kind(k));
                return r < 0 ? r : 0;
        }
        if (node_is_empty(k)) {
                r = error_at(p, k->line, k->column, NULL, "empty key");
                return r < 0 ? r : 0;
        }
        for (size_t j = 0; j < i; j += 2) {
                const Node *e = m->items[j];

                if (e->type == NODE_SCALAR && e->len == k->len &&
                    memcmp(e->value, k->value, k->len) == 0) {
                        r = error_at(p, k->line, k->column,
                                     "Remove one of them (YAML does not merge repeated keys).",
                                     "duplicate key '%s' (first at line %d, column %d)", SHOW(k),
                                     e->line, e->column);
                        return r < 0 ? r : 0;
                }
        }
        return 1;
}

/* Whether value v of key k is of the expected type; reports it if not.
 * example is a line to show in the hint. Returns 1, 0 (reported) or -ENOMEM. */
static int check_type(Parser *p, const Node *k, const Node *v, NodeType want, const char *example) {
        _cleanup_(freep) char *hint = NULL;
        int r;

        if (v->type == NODE_REFUSED)
                return 0;
        if (node_is_empty(v)) {
                if (asprintf(&hint, "Give a value, e.g. %s, or remove the key.", example) < 0)
                        return -ENOMEM;
                r = error_at(p, v->line, v->column, hint, "empty value for '%s'", SHOW(k));
                return r < 0 ? r : 0;
        }
        if (v->type == want)
                return 1;
        if (asprintf(&hint, "Write it as: %s", example) < 0)
                return -ENOMEM;
        r = error_at(p, v->line, v->column, hint, "'%s' must be %s, not %s", SHOW(k),
                     want == NODE_MAPPING    ? "a mapping"
                     : want == NODE_SEQUENCE ? "a list"
                                             : "a single value",
                     node_kind(v));
        return r < 0 ? r : 0;
}

/* A scalar without control characters or NULs (they would end up in file
 * names, subjects and messages). Returns 1, 0 (reported) or -ENOMEM. */
static int check_text(Parser *p, const Node *k, const Node *v) {
        for (size_t i = 0; i < v->len; i++) {
                unsigned char c = (unsigned char) v->value[i];

                if (c < 0x20 || c == 0x7f) {
                        int r = error_at(p, v->line, v->column,
                                         "Remove the control character (tab, newline, escape).",
                                         "the value of '%s' contains a control character", SHOW(k));
                        return r < 0 ? r : 0;
                }
        }
        return 1;
}

static bool ascii_letter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static size_t utf8_chars(const char *s) {
        size_t n = 0;

        for (; *s; s++)
                if (((unsigned char) *s & 0xc0) != 0x80)
                        n++;
        return n;
}

static int parse_subject_field(Parser *p, const Node *k, const Node *v, char **ret) {
        _cleanup_(freep) char *s = NULL;
        int r;

        r = check_type(p, k, v, NODE_SCALAR,
                       streq(k->value, "country") ? "country: NZ" : "organization: SomeTelco");
        if (r <= 0)
                return r;
        r = check_text(p, k, v);
        if (r <= 0)
                return r;

        if (streq(k->value, "country")) {
                if (v->len != 2 || !ascii_letter(v->value[0]) || !ascii_letter(v->value[1])) {
                        r = error_at(p, v->line, v->column,
                                     "Give the two-letter ISO 3166 country code, e.g. NZ, GB, "
                                     "US.",
                                     "country '%s' is not a two-letter country code", SHOW(v));
                        return r < 0 ? r : 0;
                }
                s = strdup(v->value);
                if (!s)
                        return -ENOMEM;
                s[0] = (char) toupper((unsigned char) s[0]);
                s[1] = (char) toupper((unsigned char) s[1]);
        } else {
                if (v->value[0] == ' ' || v->value[v->len - 1] == ' ') {
                        r = error_at(p, v->line, v->column,
                                     "Remove the spaces inside the quotes: the certificate's "
                                     "subject must match exactly.",
                                     "the value of '%s' starts or ends with a space", SHOW(k));
                        return r < 0 ? r : 0;
                }
                if (utf8_chars(v->value) > DEPLOY_SUBJECT_MAX) {
                        r = error_at(p, v->line, v->column,
                                     "Shorten it: a certificate subject allows at most 64 "
                                     "characters here.",
                                     "'%s' is longer than %d characters", SHOW(k),
                                     DEPLOY_SUBJECT_MAX);
                        return r < 0 ? r : 0;
                }
                s = strdup(v->value);
                if (!s)
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(s);
        return 1;
}

static int parse_subject(Parser *p, const Node *k, const Node *v, Deployment *d) {
        int r;

        r = check_type(p, k, v, NODE_MAPPING, "subject: {country: NZ, organization: SomeTelco}");
        if (r <= 0)
                return r;

        for (size_t i = 0; i + 1 < v->n_items; i += 2) {
                const Node *fk = v->items[i], *fv = v->items[i + 1];
                char **field;

                r = check_key(p, v, i);
                if (r < 0)
                        return r;
                if (r == 0)
                        continue;

                if (streq(fk->value, "country"))
                        field = &d->country;
                else if (streq(fk->value, "organization"))
                        field = &d->organization;
                else if (streq(fk->value, "organizational_unit"))
                        field = &d->organizational_unit;
                else {
                        r = unknown_key(p, fk, LEVEL_SUBJECT);
                        if (r < 0)
                                return r;
                        continue;
                }
                r = parse_subject_field(p, fk, fv, field);
                if (r < 0)
                        return r;
        }
        return 1;
}

/* An MCC or MNC: 1 to 3 decimal digits, plain (1) or quoted ("001"). */
static int parse_code(Parser *p, const Node *k, const Node *v, int *ret) {
        int r, n = 0;

        r = check_type(p, k, v, NODE_SCALAR, streq(k->value, "mcc") ? "mcc: 1" : "mnc: 1");
        if (r <= 0)
                return r;

        if (v->len < 1 || v->len > 3 || strspn(v->value, "0123456789") != v->len) {
                r = error_at(p, v->line, v->column,
                             "Give a number from 0 to 999, e.g. 1 or \"001\" (no sign, no "
                             "spaces).",
                             "%s '%s' is not a number from 0 to 999", k->value, SHOW(v));
                return r < 0 ? r : 0;
        }
        for (size_t i = 0; i < v->len; i++)
                n = n * 10 + (v->value[i] - '0');
        *ret = n;
        return 1;
}

static bool service_name_valid(const char *s, size_t len) {
        if (len < 1 || len > DEPLOY_SERVICE_MAX || strlen(s) != len || s[0] == '-')
                return false;
        return strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") == len;
}

/* The hint for a host name that is not one. */
static const char *host_hint(const char *s) {
        if (strchr(s, '*'))
                return "List the names users actually reach the service by; a wildcard "
                       "certificate covers them.";
        if (strstr(s, "://") || strchr(s, '/') || strchr(s, ':'))
                return "Give the bare host name, without scheme, port or path.";
        if (strchr(s, '_'))
                return "Host names use letters, digits and hyphens only (no underscores).";
        return "A host name is labels of letters, digits and hyphens separated by dots, e.g. "
               "rem.sometelco.com.";
}

static const char *address_hint(const char *s) {
        if (names_is_hostname(s))
                return "put host names under 'hosts:'";
        if (s[0] == '[')
                return "Give the IPv6 address without brackets, e.g. 2001:db8::10.";
        if (strchr(s, '/'))
                return "Give a single address, not a network.";
        return "Give an IPv4 address (192.168.10.10) or an IPv6 address (2001:db8::10).";
}

/* hosts: or addresses: of a service. */
static int parse_names(Parser *p, const Node *k, const Node *v, bool addresses, char ***list) {
        _cleanup_(freep) char *example = NULL;
        int r;

        /* One name where a list belongs: show it as a list. */
        if (v->type == NODE_SCALAR && !node_is_empty(v))
                r = asprintf(&example, "%s: [%s]", k->value, SHOW(v));
        else
                r = asprintf(&example, "%s",
                             addresses ? "addresses: [192.168.10.10]"
                                       : "hosts: [rem.sometelco.com]");
        if (r < 0)
                return -ENOMEM;
        r = check_type(p, k, v, NODE_SEQUENCE, example);
        if (r <= 0)
                return r;

        for (size_t i = 0; i < v->n_items; i++) {
                const Node *e = v->items[i];
                unsigned char ip[16];
                size_t ip_len;

                if (e->type == NODE_REFUSED)
                        continue;
                if (node_is_empty(e)) {
                        r = error_at(p, e->line, e->column, "Remove the empty entry.",
                                     "empty entry in '%s'", k->value);
                        if (r < 0)
                                return r;
                        continue;
                }
                if (e->type != NODE_SCALAR) {
                        r = error_at(p, e->line, e->column,
                                     addresses ? "Write it as: addresses: [192.168.10.10, "
                                                 "2001:db8::10]"
                                               : "Write it as: hosts: [rem.sometelco.com, "
                                                 "rem2.sometelco.com]",
                                     "an entry of '%s' must be a single value, not %s", k->value,
                                     node_kind(e));
                        if (r < 0)
                                return r;
                        continue;
                }
                r = check_text(p, k, e);
                if (r < 0)
                        return r;
                if (r == 0)
                        continue;

                if (addresses) {
                        if (!names_parse_ip(e->value, ip, &ip_len)) {
                                r = error_at(p, e->line, e->column, address_hint(e->value),
                                             "'%s' is not an IP address", SHOW(e));
                                if (r < 0)
                                        return r;
                                continue;
                        }
                } else if (names_parse_ip(e->value, ip, &ip_len)) {
                        r = error_at(p, e->line, e->column, "put addresses under 'addresses:'",
                                     "'%s' is an IP address, not a host name", SHOW(e));
                        if (r < 0)
                                return r;
                        continue;
                } else if (!names_is_hostname(e->value)) {
                        r = error_at(p, e->line, e->column, host_hint(e->value),
                                     "'%s' is not a valid host name", SHOW(e));
                        if (r < 0)
                                return r;
                        continue;
                }

                r = strv_extend(list, e->value);
                if (r < 0)
                        return r;
        }
        return 1;
}

static void service_done(DeployService *s) {
        free(s->name);
        strv_free(s->hosts);
        strv_free(s->addresses);
        *s = (DeployService){};
}

static int parse_service(Parser *p, const Node *k, const Node *v, Deployment *d) {
        _cleanup_(freep) char *example = NULL;
        DeployService s = {}, *a;
        bool valid_name;
        int r;

        valid_name = service_name_valid(k->value, k->len);
        if (!valid_name) {
                _cleanup_(freep) char *hint = NULL, *lower = NULL;

                lower = strndup(k->value, k->len);
                if (!lower)
                        return -ENOMEM;
                for (char *c = lower; *c; c++)
                        *c = (char) tolower((unsigned char) *c);
                if (service_name_valid(lower, strlen(lower))) {
                        if (asprintf(&hint,
                                     "Service names are lower case: '%s' (its files are "
                                     "%s-cert.crt and %s-cert.key).",
                                     lower, lower, lower) < 0)
                                return -ENOMEM;
                } else if (!(hint = strdup(
                                     "Use lower-case letters, digits and hyphens (not first): "
                                     "the name is used in the file names <svc>-cert.crt and "
                                     "<svc>-cert.key.")))
                        return -ENOMEM;
                r = error_at(p, k->line, k->column, hint, "invalid service name '%s'", SHOW(k));
                if (r < 0)
                        return r;
        }

        if (asprintf(&example, "%s: {hosts: [%s.sometelco.com]}", valid_name ? k->value : "rem",
                     valid_name ? k->value : "rem") < 0)
                return -ENOMEM;
        r = check_type(p, k, v, NODE_MAPPING, example);
        if (r <= 0)
                return r;

        for (size_t i = 0; i + 1 < v->n_items; i += 2) {
                const Node *fk = v->items[i], *fv = v->items[i + 1];

                r = check_key(p, v, i);
                if (r < 0)
                        goto fail;
                if (r == 0)
                        continue;

                if (streq(fk->value, "hosts"))
                        r = parse_names(p, fk, fv, false, &s.hosts);
                else if (streq(fk->value, "addresses"))
                        r = parse_names(p, fk, fv, true, &s.addresses);
                else
                        r = unknown_key(p, fk, LEVEL_SERVICE);
                if (r < 0)
                        goto fail;
        }

        if (!valid_name) {
                service_done(&s);
                return 0;
        }

        /* Empty lists are allowed: the service is named but needs no names. */
        if (!s.hosts && !(s.hosts = calloc(1, sizeof(char *)))) {
                r = -ENOMEM;
                goto fail;
        }
        if (!s.addresses && !(s.addresses = calloc(1, sizeof(char *)))) {
                r = -ENOMEM;
                goto fail;
        }
        s.name = strdup(k->value);
        if (!s.name) {
                r = -ENOMEM;
                goto fail;
        }

        a = reallocarray(d->services, d->n_services + 1, sizeof(DeployService));
        if (!a) {
                r = -ENOMEM;
                goto fail;
        }
        d->services = a;
        d->services[d->n_services++] = s;
        return 1;

fail:
        service_done(&s);
        return r;
}

static int parse_services(Parser *p, const Node *k, const Node *v, Deployment *d) {
        int r;

        r = check_type(p, k, v, NODE_MAPPING, "services: {rem: {hosts: [rem.sometelco.com]}}");
        if (r <= 0)
                return r;

        for (size_t i = 0; i + 1 < v->n_items; i += 2) {
                r = check_key(p, v, i);
                if (r < 0)
                        return r;
                if (r == 0)
                        continue;
                r = parse_service(p, v->items[i], v->items[i + 1], d);
                if (r < 0)
                        return r;
        }
        return 1;
}

static int parse_root(Parser *p, const Node *root, Deployment *d) {
        const Node *mcc_key = NULL, *mnc_key = NULL;
        int r;

        if (!root || node_is_null(root))
                return 0;
        if (root->type == NODE_REFUSED)
                return 0;
        if (root->type != NODE_MAPPING) {
                r = error_at(p, root->line, root->column,
                             "Start with keys such as 'subject:', 'mcc:', 'mnc:' and "
                             "'services:'.",
                             "the deployment must be a mapping of keys, not %s", node_kind(root));
                return r < 0 ? r : 0;
        }

        for (size_t i = 0; i + 1 < root->n_items; i += 2) {
                const Node *k = root->items[i], *v = root->items[i + 1];

                r = check_key(p, root, i);
                if (r < 0)
                        return r;
                if (r == 0)
                        continue;

                if (streq(k->value, "subject"))
                        r = parse_subject(p, k, v, d);
                else if (streq(k->value, "mcc")) {
                        mcc_key = k;
                        r = parse_code(p, k, v, &d->mcc);
                } else if (streq(k->value, "mnc")) {
                        mnc_key = k;
                        r = parse_code(p, k, v, &d->mnc);
                } else if (streq(k->value, "services"))
                        r = parse_services(p, k, v, d);
                else
                        r = unknown_key(p, k, LEVEL_TOP);
                if (r < 0)
                        return r;
        }

        /* The 3GPP names need both codes; one alone is a mistake. */
        if (mcc_key && !mnc_key)
                return error_at(p, mcc_key->line, mcc_key->column,
                                "Give both 'mcc:' and 'mnc:', or neither.",
                                "'mcc' is set but 'mnc' is not");
        if (mnc_key && !mcc_key)
                return error_at(p, mnc_key->line, mnc_key->column,
                                "Give both 'mcc:' and 'mnc:', or neither.",
                                "'mnc' is set but 'mcc' is not");
        return 0;
}

/* ---------------------------------------------------------------------------
 * The interface. */

Deployment *deploy_free(Deployment *d) {
        if (!d)
                return NULL;
        for (size_t i = 0; i < d->n_services; i++)
                service_done(&d->services[i]);
        free(d->services);
        free(d->path);
        free(d->country);
        free(d->organization);
        free(d->organizational_unit);
        free(d);
        return NULL;
}

int deploy_parse(const char *path, const char *data, size_t len, Deployment **ret, Findings *f) {
        _cleanup_(deploy_freep) Deployment *d = NULL;
        _cleanup_(node_freep) Node *root = NULL;
        _cleanup_(parser_done) Parser p = {
                .path = path,
                .data = data,
                .len = len,
                .findings = f,
        };
        int r;

        if (!f || !ret || (!data && len > 0))
                return -EINVAL;

        if (len > DEPLOY_MAX_BYTES) {
                r = findings_add_at(f, FINDING_CONFIG_INVALID, SEVERITY_ERROR, path, 0, 0,
                                    "A deployment file is a few kilobytes: remove what does "
                                    "not belong in it.",
                                    "the file is larger than %d bytes", DEPLOY_MAX_BYTES);
                return r < 0 ? r : -EINVAL;
        }

        d = calloc(1, sizeof(Deployment));
        if (!d)
                return -ENOMEM;
        d->mcc = d->mnc = -1;
        if (path) {
                d->path = strdup(path);
                if (!d->path)
                        return -ENOMEM;
        }

        if (!yaml_parser_initialize(&p.yaml))
                return -ENOMEM;
        p.initialized = true;
        yaml_parser_set_input_string(&p.yaml, (const unsigned char *) (data ? data : ""), len);

        r = parse_document(&p, &root);
        if (r < 0)
                return r;

        r = parse_root(&p, root, d);
        if (r < 0)
                return r;
        if (p.n_errors > 0)
                return -EINVAL;

        *ret = TAKE_PTR(d);
        return 0;
}

static const char *read_error_reason(int r) {
        switch (r) {
        case -ELOOP:
                return "it is a symbolic link";
        case -EFBIG:
                return "it is larger than 1 MiB";
        case -EISDIR:
                return "it is a directory";
        case -EBADFD:
                return "it is not a regular file";
        default:
                return NULL;
        }
}

int deploy_load_at(int dirfd, const char *name, const char *display_path, Deployment **ret,
                   Findings *f) {
        _cleanup_(freep) char *data = NULL;
        const char *shown = display_path ? display_path : name;
        const char *reason;
        size_t len;
        int r;

        if (!name || !ret || !f)
                return -EINVAL;

        if (dirfd == AT_FDCWD)
                r = read_file_path(name, DEPLOY_MAX_BYTES, &data, &len);
        else
                r = read_file_at(dirfd, name, DEPLOY_MAX_BYTES, &data, &len);
        if (r == -ENOENT || r == -ENOMEM)
                return r;
        if (r < 0) {
                reason = read_error_reason(r);
                if (reason)
                        r = findings_add_at(f, FINDING_CONFIG_INVALID, SEVERITY_ERROR, shown, 0, 0,
                                            "Upload the deployment YAML as a regular file of at "
                                            "most 1 MiB.",
                                            "cannot read %s: %s", shown, reason);
                else
                        r = findings_add_at(f, FINDING_CONFIG_INVALID, SEVERITY_ERROR, shown, 0, 0,
                                            "Make the file readable by the agent.",
                                            "cannot read %s: %s", shown, strerror(-r));
                return r < 0 ? r : -EINVAL;
        }

        return deploy_parse(shown, data, len, ret, f);
}

const DeployService *deploy_service(const Deployment *d, const char *name) {
        if (!d || !name)
                return NULL;
        for (size_t i = 0; i < d->n_services; i++)
                if (streq(d->services[i].name, name))
                        return &d->services[i];
        return NULL;
}

/* Two names are the same when they are the same address, or the same host
 * name ignoring case and a trailing dot. */
static bool same_name(const char *a, const char *b) {
        unsigned char ia[16], ib[16];
        size_t la, lb;

        if (names_parse_ip(a, ia, &la) && names_parse_ip(b, ib, &lb))
                return la == lb && memcmp(ia, ib, la) == 0;

        la = strlen(a);
        lb = strlen(b);
        if (la > 0 && a[la - 1] == '.')
                la--;
        if (lb > 0 && b[lb - 1] == '.')
                lb--;
        return la == lb && strncasecmp(a, b, la) == 0;
}

static int strv_extend_same(char ***l, const char *s) {
        for (char **i = *l; *i; i++)
                if (same_name(*i, s))
                        return 0;
        return strv_extend(l, s);
}

int deploy_service_names(const Deployment *d, const char *service, char ***ret) {
        _cleanup_(strv_freep) char **l = NULL;
        const DeployService *s;
        int r;

        if (!service || !ret)
                return -EINVAL;

        l = calloc(1, sizeof(char *));
        if (!l)
                return -ENOMEM;

        if (d) {
                s = deploy_service(d, service);
                /* Host names first (the first one is the natural CN), then the
                 * 3GPP name, then addresses. */
                for (char **i = s ? s->hosts : NULL; i && *i; i++) {
                        r = strv_extend_same(&l, *i);
                        if (r < 0)
                                return r;
                }
                if (d->mcc >= 0 && d->mnc >= 0 &&
                    (streq(service, "xcap") || streq(service, "bsf"))) {
                        _cleanup_(freep) char *g = names_3gpp(service, d->mcc, d->mnc);

                        if (!g)
                                return -ENOMEM;
                        r = strv_extend_same(&l, g);
                        if (r < 0)
                                return r;
                }
                for (char **i = s ? s->addresses : NULL; i && *i; i++) {
                        r = strv_extend_same(&l, *i);
                        if (r < 0)
                                return r;
                }
        }

        *ret = TAKE_PTR(l);
        return 0;
}
