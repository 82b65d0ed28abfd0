#pragma once
/* yamlutil: the libyaml front end shared by the YAML parsers (deploy,
 * agentconf). A document becomes a small tree of nodes that remember their
 * line and column; every problem is a CONFIG_INVALID error with file, line,
 * column and a hint (tabs, encoding, the nearest known key, the expected
 * type). Returns >= 0 or negative errno; never logs. */

#include <stdbool.h>
#include <stddef.h>

#include "findings.h"

#define YAMLUTIL_MAX_DEPTH       16
#define YAMLUTIL_MAX_NODES       10000 /* default for YamlParser.max_nodes */
#define YAMLUTIL_MAX_ERRORS      50    /* then one error says the rest were left out */
#define YAMLUTIL_KEY_SUGGEST_MAX 64    /* longer keys get no "did you mean" */
#define YAMLUTIL_SHOW_MAX        60    /* characters of a user's text quoted in a message */
#define YAMLUTIL_SHOW_BUF        (YAMLUTIL_SHOW_MAX * 4 + sizeof("..."))

typedef enum YamlNodeType {
        YNODE_SCALAR,
        YNODE_SEQUENCE,
        YNODE_MAPPING,
        YNODE_REFUSED, /* an alias: already reported, every check skips it */
} YamlNodeType;

typedef struct YamlNode {
        YamlNodeType type;
        int line, column;        /* 1-based */
        char *value;             /* scalar text, NUL-terminated */
        size_t len;              /* bytes of value (a "\0" escape may embed a NUL) */
        bool plain;              /* scalar written without quotes */
        struct YamlNode **items; /* sequence: entries; mapping: key, value, key, value, ... */
        size_t n_items;
} YamlNode;

YamlNode *yamlutil_node_free(YamlNode *n);
DEFINE_PTR_CLEANUP(YamlNode, yamlutil_node_free)

typedef struct YamlParser {
        /* Set by the caller: */
        const char *path; /* named in every finding; may be NULL */
        Findings *findings;
        const char *what;        /* "deployment", "configuration": used in hints */
        const char *key_example; /* a key of the schema, for hints ("hosts") */
        size_t max_nodes;        /* values in a file; 0: YAMLUTIL_MAX_NODES */
        const char *nodes_hint;  /* the hint when there are more; may be NULL */
        /* Kept by yamlutil: */
        size_t n_nodes;
        unsigned n_errors; /* errors reported so far: > 0 means the file is invalid */
} YamlParser;

/* Reads the one YAML document of data (len bytes) into a tree; *ret = NULL
 * for an empty stream (nothing, or only comments). A syntax error, a second
 * document or a limit stops reading: reported, -EINVAL. Anchors, aliases and
 * tags are reported (p->n_errors grows) but reading goes on and returns 0, so
 * that the schema checks find more errors in the same pass. -ENOMEM. */
int yamlutil_read(YamlParser *p, const char *data, size_t len, YamlNode **ret);

/* Adds one CONFIG_INVALID error at line:column; parsing goes on. After
 * YAMLUTIL_MAX_ERRORS, one more says the rest were left out. Returns 0 or
 * -ENOMEM. */
int yamlutil_error_at(YamlParser *p, int line, int column, const char *hint, const char *fmt, ...)
        _printf_(5, 6);

/* A user's text, safe to quote in a one-line message: control characters
 * become '?', long text is cut at a character boundary and ends in "...". */
const char *yamlutil_show(const char *s, size_t len, char buf[static YAMLUTIL_SHOW_BUF]);
#define YSHOW(n) yamlutil_show((n)->value, (n)->len, (char[YAMLUTIL_SHOW_BUF]){})

/* A plain ~, null, Null, NULL or nothing. */
bool yamlutil_node_is_null(const YamlNode *n);
/* No value: nothing after the colon, ~, null, or "" (quoted, empty). */
bool yamlutil_node_is_empty(const YamlNode *n);
/* "a single value", "a list", "a mapping", "an alias". */
const char *yamlutil_node_kind(const YamlNode *n);

/* Checks the key of the pair at index i of mapping m: a single value, not
 * empty, not a repeat of an earlier key. Returns 1 when the pair should be
 * read, 0 when it was reported (skip it), or -ENOMEM. */
int yamlutil_check_key(YamlParser *p, const YamlNode *m, size_t i);

/* Whether value v of key k is of the wanted type (and not empty); reports it
 * if not. example is a line to show in the hint ("hosts: [a.example]").
 * Returns 1, 0 (reported) or -ENOMEM. */
int yamlutil_check_type(YamlParser *p, const YamlNode *k, const YamlNode *v, YamlNodeType want,
                        const char *example);

/* A scalar without control characters or NULs. Returns 1, 0 (reported) or
 * -ENOMEM. */
int yamlutil_check_text(YamlParser *p, const YamlNode *k, const YamlNode *v);

/* Edit distance, ASCII case ignored; SIZE_MAX when a string is longer than
 * YAMLUTIL_KEY_SUGGEST_MAX. */
size_t yamlutil_levenshtein(const char *a, const char *b);
/* The word of words nearest to s, when close enough to be a misspelling of
 * it (at most a third of s's length in edits, at least 2), else NULL. */
const char *yamlutil_nearest(const char *s, const char *const *words, size_t n);
/* Whether s is one of words, ASCII case ignored. */
bool yamlutil_in_list(const char *s, const char *const *words, size_t n);
/* "a, b, c"; malloc'd, NULL on OOM. */
char *yamlutil_join(const char *const *words, size_t n);

/* "unknown key 'x'" with the best hint there is: elsewhere when not NULL (the
 * caller knows the key belongs at another level), else the nearest of keys
 * ("did you mean 'y'?"), else the list of keys. Returns 0 or -ENOMEM. */
int yamlutil_unknown_key(YamlParser *p, const YamlNode *k, const char *const *keys, size_t n,
                         const char *elsewhere);
