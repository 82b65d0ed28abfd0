#include <ctype.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <strings.h>

#include <yaml.h>

#include "yamlutil.h"

/* ---------------------------------------------------------------------------
 * Errors. */

static int add_error(YamlParser *p, bool capped, int line, int column, const char *hint,
                     const char *fmt, va_list ap) _printf_(6, 0);

static int add_error(YamlParser *p, bool capped, int line, int column, const char *hint,
                     const char *fmt, va_list ap) {
        _cleanup_(freep) char *msg = NULL;

        p->n_errors++;
        if (capped && p->n_errors > YAMLUTIL_MAX_ERRORS + 1)
                return 0;
        if (capped && p->n_errors == YAMLUTIL_MAX_ERRORS + 1)
                return findings_add_at(
                        p->findings, FINDING_CONFIG_INVALID, SEVERITY_ERROR, p->path, line, column,
                        "Correct the errors above, then check the file again.",
                        "more than %d errors; the rest are not reported", YAMLUTIL_MAX_ERRORS);

        if (vasprintf(&msg, fmt, ap) < 0) {
                msg = NULL;
                return -ENOMEM;
        }
        return findings_add_at(p->findings, FINDING_CONFIG_INVALID, SEVERITY_ERROR, p->path, line,
                               column, hint, "%s", msg);
}

int yamlutil_error_at(YamlParser *p, int line, int column, const char *hint, const char *fmt, ...) {
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = add_error(p, true, line, column, hint, fmt, ap);
        va_end(ap);
        return r;
}

static int fatal_at(YamlParser *p, int line, int column, const char *hint, const char *fmt, ...)
        _printf_(5, 6);

/* The error that stops parsing (syntax, limits): always reported. Returns
 * -EINVAL or -ENOMEM. */
static int fatal_at(YamlParser *p, int line, int column, const char *hint, const char *fmt, ...) {
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = add_error(p, false, line, column, hint, fmt, ap);
        va_end(ap);
        return r < 0 ? r : -EINVAL;
}

const char *yamlutil_show(const char *s, size_t len, char buf[static YAMLUTIL_SHOW_BUF]) {
        size_t o = 0, chars = 0, i = 0;

        while (i < len) {
                unsigned char c = (unsigned char) s[i];
                size_t w = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;

                if (chars == YAMLUTIL_SHOW_MAX) {
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

/* ---------------------------------------------------------------------------
 * Reading: libyaml events into a tree that remembers positions. */

typedef struct Reader {
        YamlParser *p;
        const char *data;
        size_t len;
        yaml_parser_t yaml;
        bool initialized; /* yaml needs yaml_parser_delete() */
} Reader;

YamlNode *yamlutil_node_free(YamlNode *n) {
        if (!n)
                return NULL;
        for (size_t i = 0; i < n->n_items; i++)
                yamlutil_node_free(n->items[i]);
        free(n->items);
        free(n->value);
        free(n);
        return NULL;
}

static void yaml_event_deletep(yaml_event_t *e) {
        yaml_event_delete(e);
}

static void reader_done(Reader *rd) {
        if (rd->initialized)
                yaml_parser_delete(&rd->yaml);
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
static int syntax_error(Reader *rd) {
        const yaml_parser_t *y = &rd->yaml;
        const char *problem = strna(y->problem);
        YamlParser *p = rd->p;
        int line, column;

        if (y->error == YAML_MEMORY_ERROR)
                return -ENOMEM;

        if (y->error != YAML_READER_ERROR) {
                /* The most common syntax error of hand-edited YAML: a tab in
                 * the indentation of the line libyaml stopped at. Found by
                 * line, since libyaml's index counts characters, not bytes. */
                const char *hint =
                        line_indented_with_tab(rd->data, rd->len, y->problem_mark.line)
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

        if (strstr(problem, "trailing") && o <= rd->len) {
                size_t lead = o;

                while (lead > 0 && o - lead < 3 &&
                       ((unsigned char) rd->data[lead - 1] & 0xc0) == 0x80)
                        lead--;
                if (lead > 0 && (unsigned char) rd->data[lead - 1] >= 0xc0) {
                        o = lead - 1;
                        value = (unsigned char) rd->data[o];
                }
        }
        offset_position(rd->data, rd->len, o, &line, &column);
        if (value < 0)
                return fatal_at(p, line, column,
                                "Save the file as UTF-8 text without control characters.",
                                "YAML syntax error: %s", problem);
        return fatal_at(p, line, column, "Save the file as UTF-8 text without control characters.",
                        "YAML syntax error: %s (byte 0x%02x)", problem, (unsigned) value & 0xffu);
}

static int next_event(Reader *rd, yaml_event_t *ret) {
        if (!yaml_parser_parse(&rd->yaml, ret))
                return syntax_error(rd);
        return 0;
}

/* Anchors and tags are refused but the node itself is still read, so that
 * more errors can be found in the same pass. */
static int refuse_decorations(YamlParser *p, const yaml_event_t *e, const yaml_char_t *anchor,
                              const yaml_char_t *tag) {
        int line = mark_line(&e->start_mark), column = mark_column(&e->start_mark), r;

        if (anchor) {
                r = yamlutil_error_at(
                        p, line, column, "Write the value out in full where it is needed.",
                        "YAML anchors (&%s) are not supported",
                        yamlutil_show((const char *) anchor, strlen((const char *) anchor),
                                      (char[YAMLUTIL_SHOW_BUF]){}));
                if (r < 0)
                        return r;
        }
        if (tag) {
                r = yamlutil_error_at(p, line, column,
                                      "Remove the tag; to make a value a string, put it in quotes.",
                                      "YAML tags (%s) are not supported",
                                      yamlutil_show((const char *) tag, strlen((const char *) tag),
                                                    (char[YAMLUTIL_SHOW_BUF]){}));
                if (r < 0)
                        return r;
        }
        return 0;
}

static int node_append(YamlNode *parent, YamlNode *child, size_t *allocated) {
        if (parent->n_items >= *allocated) {
                size_t a = *allocated ? *allocated * 2 : 4;
                YamlNode **items = reallocarray(parent->items, a, sizeof(YamlNode *));

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
static int parse_node(Reader *rd, const yaml_event_t *e, unsigned depth, YamlNode **ret) {
        _cleanup_(yamlutil_node_freep) YamlNode *n = NULL;
        YamlParser *p = rd->p;
        size_t max_nodes = p->max_nodes ? p->max_nodes : YAMLUTIL_MAX_NODES;
        yaml_event_type_t end;
        size_t allocated = 0;
        int r;

        if (++p->n_nodes > max_nodes)
                return fatal_at(p, mark_line(&e->start_mark), mark_column(&e->start_mark),
                                p->nodes_hint, "more than %zu values in the file", max_nodes);

        n = calloc(1, sizeof(YamlNode));
        if (!n)
                return -ENOMEM;
        n->line = mark_line(&e->start_mark);
        n->column = mark_column(&e->start_mark);

        switch (e->type) {
        case YAML_ALIAS_EVENT:
                n->type = YNODE_REFUSED;
                r = yamlutil_error_at(p, n->line, n->column,
                                      "Write the value out in full where it is needed.",
                                      "YAML aliases (*%s) are not supported",
                                      yamlutil_show((const char *) e->data.alias.anchor,
                                                    strlen((const char *) e->data.alias.anchor),
                                                    (char[YAMLUTIL_SHOW_BUF]){}));
                if (r < 0)
                        return r;
                *ret = TAKE_PTR(n);
                return 0;

        case YAML_SCALAR_EVENT:
                r = refuse_decorations(p, e, e->data.scalar.anchor, e->data.scalar.tag);
                if (r < 0)
                        return r;
                n->type = YNODE_SCALAR;
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
                n->type = YNODE_SEQUENCE;
                end = YAML_SEQUENCE_END_EVENT;
                break;

        case YAML_MAPPING_START_EVENT:
                r = refuse_decorations(p, e, e->data.mapping_start.anchor,
                                       e->data.mapping_start.tag);
                n->type = YNODE_MAPPING;
                end = YAML_MAPPING_END_EVENT;
                break;

        default:
                return -EBADMSG; /* libyaml never sends another event here */
        }
        if (r < 0)
                return r;

        if (depth >= YAMLUTIL_MAX_DEPTH)
                return fatal_at(p, n->line, n->column, NULL, "nested deeper than %d levels",
                                YAMLUTIL_MAX_DEPTH);

        for (;;) {
                _cleanup_(yaml_event_deletep) yaml_event_t child_event = {};
                _cleanup_(yamlutil_node_freep) YamlNode *child = NULL;

                r = next_event(rd, &child_event);
                if (r < 0)
                        return r;
                if (child_event.type == end)
                        break;
                r = parse_node(rd, &child_event, depth + 1, &child);
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

int yamlutil_read(YamlParser *p, const char *data, size_t len, YamlNode **ret) {
        _cleanup_(yamlutil_node_freep) YamlNode *root = NULL;
        _cleanup_(reader_done) Reader rd = {
                .p = p,
                .data = data ? data : "",
                .len = data ? len : 0,
        };
        _cleanup_(yaml_event_deletep) yaml_event_t start = {}, doc = {}, node = {}, doc_end = {},
                                                   after = {};
        _cleanup_(freep) char *hint = NULL;
        int r;

        if (!p || !ret || (!data && len > 0))
                return -EINVAL;

        if (!yaml_parser_initialize(&rd.yaml))
                return -ENOMEM;
        rd.initialized = true;
        yaml_parser_set_input_string(&rd.yaml, (const unsigned char *) rd.data, rd.len);

        r = next_event(&rd, &start);
        if (r < 0)
                return r;
        r = next_event(&rd, &doc);
        if (r < 0)
                return r;
        if (doc.type == YAML_STREAM_END_EVENT) {
                *ret = NULL;
                return 0;
        }

        r = next_event(&rd, &node);
        if (r < 0)
                return r;
        r = parse_node(&rd, &node, 0, &root);
        if (r < 0)
                return r;

        r = next_event(&rd, &doc_end);
        if (r < 0)
                return r;
        r = next_event(&rd, &after);
        if (r < 0)
                return r;
        if (after.type != YAML_STREAM_END_EVENT) {
                if (asprintf(&hint, "Keep the whole %s in one YAML document (remove the '---').",
                             p->what ? p->what : "file") < 0) {
                        hint = NULL;
                        return -ENOMEM;
                }
                return fatal_at(p, mark_line(&after.start_mark), mark_column(&after.start_mark),
                                hint, "more than one YAML document");
        }

        *ret = TAKE_PTR(root);
        return 0;
}

/* ---------------------------------------------------------------------------
 * Checks of the tree against a schema. */

bool yamlutil_node_is_null(const YamlNode *n) {
        if (n->type != YNODE_SCALAR || !n->plain)
                return false;
        return n->len == 0 || streq(n->value, "~") || streq(n->value, "null") ||
               streq(n->value, "Null") || streq(n->value, "NULL");
}

bool yamlutil_node_is_empty(const YamlNode *n) {
        return n->type == YNODE_SCALAR && (n->len == 0 || yamlutil_node_is_null(n));
}

const char *yamlutil_node_kind(const YamlNode *n) {
        switch (n->type) {
        case YNODE_SCALAR:
                return "a single value";
        case YNODE_SEQUENCE:
                return "a list";
        case YNODE_MAPPING:
                return "a mapping";
        default:
                return "an alias";
        }
}

size_t yamlutil_levenshtein(const char *a, const char *b) {
        size_t la = strlen(a), lb = strlen(b);
        size_t row[YAMLUTIL_KEY_SUGGEST_MAX + 1];

        if (la > YAMLUTIL_KEY_SUGGEST_MAX || lb > YAMLUTIL_KEY_SUGGEST_MAX)
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

const char *yamlutil_nearest(const char *s, const char *const *words, size_t n) {
        size_t len = strlen(s), limit = len / 3 > 2 ? len / 3 : 2, best = SIZE_MAX;
        const char *nearest = NULL;

        for (size_t i = 0; i < n; i++) {
                size_t d = yamlutil_levenshtein(s, words[i]);

                if (d <= limit && d < best) {
                        best = d;
                        nearest = words[i];
                }
        }
        return nearest;
}

bool yamlutil_in_list(const char *s, const char *const *words, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (strcasecmp(s, words[i]) == 0)
                        return true;
        return false;
}

char *yamlutil_join(const char *const *words, size_t n) {
        _cleanup_(freep) char *s = NULL;
        size_t len = 0;

        for (size_t i = 0; i < n; i++)
                len += strlen(words[i]) + 2;
        s = malloc(len + 1);
        if (!s)
                return NULL;
        s[0] = 0;
        for (size_t i = 0; i < n; i++) {
                if (i > 0)
                        strcat(s, ", ");
                strcat(s, words[i]);
        }
        return TAKE_PTR(s);
}

int yamlutil_unknown_key(YamlParser *p, const YamlNode *k, const char *const *keys, size_t n,
                         const char *elsewhere) {
        _cleanup_(freep) char *hint = NULL, *list = NULL;
        const char *nearest;
        int r;

        if (strlen(k->value) != k->len) /* an embedded NUL */
                return yamlutil_error_at(p, k->line, k->column, NULL, "unknown key '%s'", YSHOW(k));
        if (elsewhere)
                return yamlutil_error_at(p, k->line, k->column, elsewhere, "unknown key '%s'",
                                         YSHOW(k));

        nearest = yamlutil_nearest(k->value, keys, n);
        if (nearest)
                r = asprintf(&hint, "did you mean '%s'?", nearest);
        else {
                list = yamlutil_join(keys, n);
                if (!list)
                        return -ENOMEM;
                r = asprintf(&hint, "known keys here: %s", list);
        }
        if (r < 0) {
                hint = NULL;
                return -ENOMEM;
        }
        return yamlutil_error_at(p, k->line, k->column, hint, "unknown key '%s'", YSHOW(k));
}

int yamlutil_check_key(YamlParser *p, const YamlNode *m, size_t i) {
        _cleanup_(freep) char *hint = NULL;
        const YamlNode *k = m->items[i];
        int r;

        if (k->type == YNODE_REFUSED)
                return 0;
        if (k->type != YNODE_SCALAR) {
                if (asprintf(&hint, "Write keys as plain words, e.g. %s:.",
                             p->key_example ? p->key_example : "name") < 0) {
                        hint = NULL;
                        return -ENOMEM;
                }
                r = yamlutil_error_at(p, k->line, k->column, hint,
                                      "a key must be a single word, not %s", yamlutil_node_kind(k));
                return r < 0 ? r : 0;
        }
        if (yamlutil_node_is_empty(k)) {
                r = yamlutil_error_at(p, k->line, k->column, NULL, "empty key");
                return r < 0 ? r : 0;
        }
        for (size_t j = 0; j < i; j += 2) {
                const YamlNode *e = m->items[j];

                if (e->type == YNODE_SCALAR && e->len == k->len &&
                    memcmp(e->value, k->value, k->len) == 0) {
                        r = yamlutil_error_at(
                                p, k->line, k->column,
                                "Remove one of them (YAML does not merge repeated keys).",
                                "duplicate key '%s' (first at line %d, column %d)", YSHOW(k),
                                e->line, e->column);
                        return r < 0 ? r : 0;
                }
        }
        return 1;
}

int yamlutil_check_type(YamlParser *p, const YamlNode *k, const YamlNode *v, YamlNodeType want,
                        const char *example) {
        _cleanup_(freep) char *hint = NULL;
        int r;

        if (v->type == YNODE_REFUSED)
                return 0;
        if (yamlutil_node_is_empty(v)) {
                if (asprintf(&hint, "Give a value, e.g. %s, or remove the key.", example) < 0) {
                        hint = NULL;
                        return -ENOMEM;
                }
                r = yamlutil_error_at(p, v->line, v->column, hint, "empty value for '%s'",
                                      YSHOW(k));
                return r < 0 ? r : 0;
        }
        if (v->type == want)
                return 1;
        if (asprintf(&hint, "Write it as: %s", example) < 0) {
                hint = NULL;
                return -ENOMEM;
        }
        r = yamlutil_error_at(p, v->line, v->column, hint, "'%s' must be %s, not %s", YSHOW(k),
                              want == YNODE_MAPPING    ? "a mapping"
                              : want == YNODE_SEQUENCE ? "a list"
                                                       : "a single value",
                              yamlutil_node_kind(v));
        return r < 0 ? r : 0;
}

int yamlutil_check_text(YamlParser *p, const YamlNode *k, const YamlNode *v) {
        for (size_t i = 0; i < v->len; i++) {
                unsigned char c = (unsigned char) v->value[i];

                if (c < 0x20 || c == 0x7f) {
                        int r = yamlutil_error_at(
                                p, v->line, v->column,
                                "Remove the control character (tab, newline, escape).",
                                "the value of '%s' contains a control character", YSHOW(k));
                        return r < 0 ? r : 0;
                }
        }
        return 1;
}
