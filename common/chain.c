#include <stdarg.h>
#include <strings.h>

#include <openssl/err.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "chain.h"
#include "timeutil.h"

DEFINE_PTR_CLEANUP(NAME_CONSTRAINTS, NAME_CONSTRAINTS_free)

ChainResult *chain_result_free(ChainResult *c) {
        if (!c)
                return NULL;
        sk_X509_pop_free(c->path, X509_free);
        free(c);
        return NULL;
}

int chain_bundle_index(const Bundle *b, const X509 *x) {
        for (size_t i = 0; i < b->n_certs; i++)
                if (b->certs[i] == x)
                        return (int) i;
        return -1;
}

/* ---- what one certificate says about another -------------------------------- */

/* Name and key-identifier match, without the signature: whether `issuer`
 * plausibly issued `subject`. Stricter than nothing, looser than
 * X509_check_issued(), which also requires keyCertSign: a CA without it must
 * still be found, so that the finding says CHAIN_CA_FLAGS, not "missing". */
static bool likely_issued(X509 *issuer, X509 *subject) {
        const ASN1_OCTET_STRING *ski, *akid;

        if (X509_NAME_cmp(X509_get_issuer_name(subject), X509_get_subject_name(issuer)) != 0)
                return false;
        akid = X509_get0_authority_key_id(subject);
        ski = X509_get0_subject_key_id(issuer);
        if (akid && ski && ASN1_OCTET_STRING_cmp(akid, ski) != 0)
                return false;
        return true;
}

/* A root: issued by itself as far as names and key identifiers tell. A path
 * ends here. */
static bool self_issued(X509 *x) {
        return likely_issued(x, x);
}

/* RFC 5280 6.1: "self-issued" means the subject and issuer names are the
 * same, whatever the keys (a CA's key rollover certificate). Such
 * certificates do not count against a pathLenConstraint, nor against
 * max_chain_depth, and name constraints skip them unless they are last. */
static bool names_self_issued(X509 *x) {
        return X509_NAME_cmp(X509_get_subject_name(x), X509_get_issuer_name(x)) == 0;
}

static bool signed_by(X509 *subject, X509 *issuer) {
        EVP_PKEY *k = X509_get0_pubkey(issuer);
        bool ok;

        if (!k) {
                ERR_clear_error();
                return false;
        }
        ok = X509_verify(subject, k) == 1;
        ERR_clear_error();
        return ok;
}

/* An extension of x does not decode (OpenSSL's EXFLAG_INVALID). OpenSSL
 * then refuses x everywhere, as an issuer too, with reasons that do not say
 * why ("unable to get local issuer certificate"), and its accessors give up:
 * X509_get_key_usage() and X509_get_extended_key_usage() say 0 (nothing
 * allowed), X509_get_pathlen() -1. Policy reports such a certificate
 * (CERT_INVALID); the chain judges it on the extensions that do decode, so
 * that it is not also called a CA without keyCertSign. */
static bool ext_invalid(X509 *x) {
        bool bad = x && (X509_get_extension_flags(x) & EXFLAG_INVALID);

        ERR_clear_error();
        return bad;
}

/* X509_get_key_usage(), also for a certificate with another extension that
 * does not decode: UINT32_MAX when there is no keyUsage, 0 when it is the
 * one that does not decode. */
static uint32_t key_usage(X509 *x) {
        ASN1_BIT_STRING *ku;
        uint32_t v = 0;
        int crit = -1;

        if (!ext_invalid(x))
                return X509_get_key_usage(x);
        ku = X509_get_ext_d2i(x, NID_key_usage, &crit, NULL);
        ERR_clear_error();
        if (!ku)
                return crit == -1 ? UINT32_MAX : 0;
        /* The bit order of OpenSSL's KU_* flags. */
        if (ASN1_STRING_length(ku) > 0)
                v = ASN1_STRING_get0_data(ku)[0];
        if (ASN1_STRING_length(ku) > 1)
                v |= (uint32_t) ASN1_STRING_get0_data(ku)[1] << 8;
        ASN1_BIT_STRING_free(ku);
        return v;
}

/* X509_get_extended_key_usage() likewise, as far as TLS servers go:
 * XKU_SSL_SERVER and XKU_ANYEKU. */
static uint32_t ext_key_usage(X509 *x) {
        EXTENDED_KEY_USAGE *eku;
        uint32_t v = 0;
        int crit = -1;

        if (!ext_invalid(x))
                return X509_get_extended_key_usage(x);
        eku = X509_get_ext_d2i(x, NID_ext_key_usage, &crit, NULL);
        ERR_clear_error();
        if (!eku)
                return crit == -1 ? UINT32_MAX : 0;
        for (int i = 0; i < sk_ASN1_OBJECT_num(eku); i++)
                switch (OBJ_obj2nid(sk_ASN1_OBJECT_value(eku, i))) {
                case NID_server_auth:
                        v |= XKU_SSL_SERVER;
                        break;
                case NID_anyExtendedKeyUsage:
                        v |= XKU_ANYEKU;
                        break;
                default:
                        break;
                }
        sk_ASN1_OBJECT_pop_free(eku, ASN1_OBJECT_free);
        return v;
}

/* X509_get_pathlen() likewise: a CA's pathLenConstraint, or -1. */
static long path_len(X509 *x) {
        BASIC_CONSTRAINTS *bc;
        long v = -1;

        if (!ext_invalid(x))
                return X509_get_pathlen(x);
        bc = X509_get_ext_d2i(x, NID_basic_constraints, NULL, NULL);
        if (bc && bc->ca && bc->pathlen)
                v = ASN1_INTEGER_get(bc->pathlen);
        BASIC_CONSTRAINTS_free(bc);
        ERR_clear_error();
        return v < 0 ? -1 : v;
}

/* basicConstraints CA:TRUE, and keyCertSign when keyUsage is there. */
static bool can_issue(X509 *x) {
        uint32_t flags = X509_get_extension_flags(x), ku = key_usage(x);

        return (flags & EXFLAG_BCONS) && (flags & EXFLAG_CA) &&
               (ku == UINT32_MAX || (ku & KU_KEY_CERT_SIGN));
}

/* No extendedKeyUsage, or one that allows TLS servers: OpenSSL (and browsers)
 * hold a CA's EKU to the purpose of the certificates below it. */
static bool serves_tls_server(X509 *x) {
        uint32_t xku = ext_key_usage(x);

        return xku == UINT32_MAX || (xku & (XKU_SSL_SERVER | XKU_ANYEKU));
}

/* notBefore <= now <= notAfter, both ends inclusive (RFC 5280 4.1.2.5). */
static bool valid_at(const X509 *x, time_t now) {
        int nb = ASN1_TIME_cmp_time_t(X509_get0_notBefore(x), now);
        int na = ASN1_TIME_cmp_time_t(X509_get0_notAfter(x), now);

        return nb != -2 && na != -2 && nb <= 0 && na >= 0;
}

/* Signed with MD5, SHA-1 or older. */
static bool weak_signature(X509 *x) {
        int md = NID_undef;

        if (X509_get_signature_info(x, &md, NULL, NULL, NULL) != 1) {
                ERR_clear_error();
                return false;
        }
        return md == NID_md5 || md == NID_sha1 || md == NID_md4 || md == NID_md2 ||
               md == NID_md5_sha1;
}

static bool has_extension(const X509 *x, int nid) {
        return X509_get_ext_by_NID(x, nid, -1) >= 0;
}

/* The certificate's nameConstraints, or NULL (none, or unparsable: OpenSSL
 * refuses the latter itself). */
static NAME_CONSTRAINTS *name_constraints(X509 *x) {
        NAME_CONSTRAINTS *nc = X509_get_ext_d2i(x, NID_name_constraints, NULL, NULL);

        ERR_clear_error();
        return nc;
}

/* Whether the DNS name `sub` lies in one label below `parent`
 * ("bar.example.com" below "example.com"); both without a trailing dot. */
static bool one_label_below(const char *sub, size_t sub_len, const char *parent,
                            size_t parent_len) {
        const char *dot;

        if (sub_len < parent_len + 2 || sub[sub_len - parent_len - 1] != '.' ||
            strncasecmp(sub + sub_len - parent_len, parent, parent_len) != 0)
                return false;
        dot = memchr(sub, '.', sub_len - parent_len - 1);
        return !dot;
}

/* RFC 9525 wildcards against RFC 5280 name constraints (CVE-2025-61727): a
 * DNS subjectAltName "*.example.com" stands for every name one label below
 * example.com, so it lets a client accept "bar.example.com" even when the
 * name constraints exclude exactly that subtree. On a hit, the wildcard and
 * the excluded name (malloc'd) are returned; 1 then, 0 when none, or
 * negative errno. */
static int wildcard_excluded(X509 *x, NAME_CONSTRAINTS *nc, char **ret_wildcard,
                             char **ret_excluded) {
        _cleanup_(GENERAL_NAMES_freep) GENERAL_NAMES *sans = NULL;

        if (!nc || sk_GENERAL_SUBTREE_num(nc->excludedSubtrees) <= 0)
                return 0;
        sans = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
        ERR_clear_error();
        for (int i = 0; i < sk_GENERAL_NAME_num(sans); i++) {
                const GENERAL_NAME *g = sk_GENERAL_NAME_value(sans, i);
                const char *w;
                int wl;

                if (g->type != GEN_DNS)
                        continue;
                w = (const char *) ASN1_STRING_get0_data(g->d.dNSName);
                wl = ASN1_STRING_length(g->d.dNSName);
                if (wl < 3 || w[0] != '*' || w[1] != '.' || memchr(w, '\0', (size_t) wl))
                        continue;
                for (int j = 0; j < sk_GENERAL_SUBTREE_num(nc->excludedSubtrees); j++) {
                        const GENERAL_SUBTREE *t =
                                sk_GENERAL_SUBTREE_value(nc->excludedSubtrees, j);
                        const char *e;
                        int el;

                        if (!t->base || t->base->type != GEN_DNS)
                                continue;
                        e = (const char *) ASN1_STRING_get0_data(t->base->d.dNSName);
                        el = ASN1_STRING_length(t->base->d.dNSName);
                        if (el > 0 && e[0] == '.') {
                                e++;
                                el--;
                        }
                        if (el <= 0 || memchr(e, '\0', (size_t) el) ||
                            !one_label_below(e, (size_t) el, w + 2, (size_t) wl - 2))
                                continue;
                        if (ret_wildcard) {
                                _cleanup_(freep) char *ws = strndup(w, (size_t) wl);
                                _cleanup_(freep) char *es = strndup(e, (size_t) el);
                                if (!ws || !es)
                                        return -ENOMEM;
                                *ret_wildcard = TAKE_PTR(ws);
                                *ret_excluded = TAKE_PTR(es);
                        }
                        return 1;
                }
        }
        return 0;
}

/* ---- the path search ---------------------------------------------------------- */

typedef struct Node {
        X509 *x;
        int bundle;            /* index in the bundle; -1: an anchor from the trust store */
        int same;              /* first node with identical contents (itself, when unique) */
        bool anchor;           /* a trust anchor: from the store, or a file certificate it holds */
        bool root;             /* self-issued: a path ends here */
        bool listed;           /* cand is filled in */
        int *cand;             /* candidate issuers, best first */
        bool *cand_signed;     /* whether each one's key verifies this certificate's signature */
        size_t n_cand;
        bool nc_loaded;
        NAME_CONSTRAINTS *nc;
} Node;

typedef enum Ending {
        ENDING_NONE,           /* no issuer found: incomplete */
        ENDING_UNTRUSTED_ROOT, /* the file's own self-signed root, not trusted */
        ENDING_TRUSTED,        /* a trust anchor (or the file's own root, trusted) */
} Ending;

/* What is wrong with a path, most important first. */
typedef struct Score {
        unsigned bad_signatures;
        Ending ending;
        unsigned ca_flags;     /* an issuer not CA:TRUE with keyCertSign, or EKU not for servers */
        unsigned limits;       /* pathlen or max_chain_depth exceeded */
        unsigned names;        /* name constraints not kept */
        unsigned expired;      /* an issuer not valid at `now` */
        unsigned weak;         /* MD5/SHA-1 signatures */
        unsigned key_ids;      /* missing AKI or (CAs) SKI */
        size_t length;
} Score;

typedef struct Search {
        const Bundle *b;
        const ChainOptions *o;
        Node *nodes;
        size_t n_nodes;
        int path[CHAIN_MAX_PATH];
        size_t depth;
        int best[CHAIN_MAX_PATH];
        size_t n_best;
        Score best_score;
        bool have_best;
        unsigned budget;
        bool done;
} Search;

static void search_done(Search *s) {
        for (size_t i = 0; i < s->n_nodes; i++) {
                free(s->nodes[i].cand);
                free(s->nodes[i].cand_signed);
                NAME_CONSTRAINTS_free(s->nodes[i].nc);
        }
        free(s->nodes);
        s->nodes = NULL;
        s->n_nodes = 0;
}

static bool is_anchor(STACK_OF(X509) *anchors, X509 *x) {
        for (int i = 0; i < sk_X509_num(anchors); i++)
                if (X509_cmp(sk_X509_value(anchors, i), x) == 0)
                        return true;
        return false;
}

/* Nodes: the bundle's certificates in file order, then the anchors the
 * bundle does not hold already. */
static int search_init(Search *s, const Bundle *b, const ChainOptions *o) {
        int n_anchors = sk_X509_num(o->anchors); /* -1 for NULL */
        size_t m = n_anchors > 0 ? (size_t) n_anchors : 0;

        *s = (Search){.b = b, .o = o, .budget = CHAIN_SEARCH_BUDGET};
        s->nodes = calloc(b->n_certs + m, sizeof(Node));
        if (!s->nodes)
                return -ENOMEM;

        for (size_t i = 0; i < b->n_certs + m; i++) {
                X509 *x = i < b->n_certs ? b->certs[i]
                                         : sk_X509_value(o->anchors, (int) (i - b->n_certs));
                Node *n = &s->nodes[s->n_nodes];
                int same = -1;

                for (size_t j = 0; j < s->n_nodes && same < 0; j++)
                        if (X509_cmp(s->nodes[j].x, x) == 0)
                                same = (int) j;
                if (i >= b->n_certs && same >= 0)
                        continue; /* an anchor the file holds: the file's copy stands for it */
                *n = (Node){
                        .x = x,
                        .bundle = i < b->n_certs ? (int) i : -1,
                        .same = same >= 0 ? same : (int) s->n_nodes,
                        .anchor = i >= b->n_certs || is_anchor(o->anchors, x),
                        .root = self_issued(x),
                };
                (void) X509_get_extension_flags(x); /* caches what NAME_CONSTRAINTS_check() reads */
                s->n_nodes++;
        }
        return 0;
}

static NAME_CONSTRAINTS *node_nc(Node *n) {
        if (!n->nc_loaded) {
                n->nc = name_constraints(n->x);
                n->nc_loaded = true;
        }
        return n->nc;
}

/* Sort key of a candidate issuer: a verified signature, then a trust anchor,
 * then a CA with keyCertSign (and no EKU against TLS servers), then valid
 * now, then itself strongly signed. */
static unsigned candidate_rank(const Search *s, int y, bool sig) {
        const Node *n = &s->nodes[y];

        return (sig ? 16u : 0u) | (n->anchor ? 8u : 0u) |
               (can_issue(n->x) && serves_tls_server(n->x) ? 4u : 0u) |
               (valid_at(n->x, s->o->now) ? 2u : 0u) |
               (n->root || n->anchor || !weak_signature(n->x) ? 1u : 0u);
}

static int node_list(Search *s, int cur) {
        Node *n = &s->nodes[cur];
        _cleanup_(freep) unsigned *rank = NULL;

        if (n->listed)
                return 0;
        n->cand = calloc(s->n_nodes, sizeof(int));
        n->cand_signed = calloc(s->n_nodes, sizeof(bool));
        rank = calloc(s->n_nodes, sizeof(unsigned));
        if (!n->cand || !n->cand_signed || !rank)
                return -ENOMEM;

        for (size_t y = 0; y < s->n_nodes; y++) {
                bool sig;
                unsigned k;
                size_t at;

                if (s->nodes[y].same != (int) y || (int) y == n->same)
                        continue;
                if (!likely_issued(s->nodes[y].x, n->x))
                        continue;
                sig = signed_by(n->x, s->nodes[y].x);
                k = candidate_rank(s, (int) y, sig);
                /* After every candidate ranked as high: file order, then anchors. */
                at = n->n_cand;
                while (at > 0 && rank[at - 1] < k) {
                        n->cand[at] = n->cand[at - 1];
                        n->cand_signed[at] = n->cand_signed[at - 1];
                        rank[at] = rank[at - 1];
                        at--;
                }
                n->cand[at] = (int) y;
                n->cand_signed[at] = sig;
                rank[at] = k;
                n->n_cand++;
        }
        n->listed = true;
        return 0;
}

static bool link_signed(const Search *s, int child, int issuer) {
        const Node *n = &s->nodes[child];

        for (size_t i = 0; i < n->n_cand; i++)
                if (n->cand[i] == issuer)
                        return n->cand_signed[i];
        return false;
}

static Ending path_ending(const Search *s, const int *path, size_t len) {
        const Node *last = &s->nodes[path[len - 1]];

        if (last->anchor)
                return ENDING_TRUSTED;
        if (last->root)
                return s->o->distrust_bundle_root ? ENDING_UNTRUSTED_ROOT : ENDING_TRUSTED;
        return ENDING_NONE;
}

/* Intermediate CAs of the path, self-issued ones not counted: everything
 * between the leaf and the anchor or root (or the end, when incomplete). */
static unsigned path_intermediates(X509 *const *x, size_t len, bool complete) {
        unsigned k = 0;

        for (size_t i = 1; i + (complete ? 1 : 0) < len; i++)
                if (!names_self_issued(x[i]))
                        k++;
        return k;
}

/* Name constraints of every certificate of the path held against the ones
 * below it, as RFC 5280 6.1.3 (b)/(c) and OpenSSL do, but without OpenSSL's
 * extra rule for the subject CN (see chain_verify()); plus wildcards that
 * could stand for an excluded name. */
static int path_nc_violations(X509 *const *x, NAME_CONSTRAINTS *const *nc, size_t len,
                              unsigned *ret) {
        unsigned k = 0;
        int r;

        for (size_t j = 1; j < len; j++) {
                if (!nc[j])
                        continue;
                for (size_t i = 0; i < j; i++) {
                        if (i > 0 && names_self_issued(x[i]))
                                continue;
                        if (NAME_CONSTRAINTS_check(x[i], nc[j]) != X509_V_OK)
                                k++;
                        ERR_clear_error();
                        if (i == 0) {
                                r = wildcard_excluded(x[i], nc[j], NULL, NULL);
                                if (r < 0)
                                        return r;
                                k += r;
                        }
                }
        }
        *ret = k;
        return 0;
}

static int score_path(Search *s, const int *path, size_t len, Score *ret) {
        X509 *x[CHAIN_MAX_PATH];
        NAME_CONSTRAINTS *nc[CHAIN_MAX_PATH];
        Score sc = {.length = len};
        int r;

        for (size_t i = 0; i < len; i++) {
                x[i] = s->nodes[path[i]].x;
                nc[i] = node_nc(&s->nodes[path[i]]);
        }
        sc.ending = path_ending(s, path, len);

        for (size_t i = 0; i + 1 < len; i++) {
                if (!link_signed(s, path[i], path[i + 1]))
                        sc.bad_signatures++;
                if (weak_signature(x[i]))
                        sc.weak++;
        }
        for (size_t i = 1; i < len; i++) {
                long pathlen = path_len(x[i]);
                bool last_root = i == len - 1 && sc.ending != ENDING_NONE;

                if (!can_issue(x[i]) || !serves_tls_server(x[i]))
                        sc.ca_flags++;
                if (!valid_at(x[i], s->o->now))
                        sc.expired++;
                if (!last_root && !X509_get0_subject_key_id(x[i]))
                        sc.key_ids++;
                if (pathlen >= 0) {
                        long below = 0;
                        for (size_t j = 1; j < i; j++)
                                if (!names_self_issued(x[j]))
                                        below++;
                        if (below > pathlen)
                                sc.limits++;
                }
        }
        for (size_t i = 0; i < len; i++)
                if (!self_issued(x[i]) && !X509_get0_authority_key_id(x[i]))
                        sc.key_ids++;
        if (s->o->max_chain_depth > 0 && path_intermediates(x, len, sc.ending != ENDING_NONE) + 1 >
                                                  (unsigned) s->o->max_chain_depth)
                sc.limits++;
        r = path_nc_violations(x, nc, len, &sc.names);
        if (r < 0)
                return r;
        *ret = sc;
        return 0;
}

static bool score_perfect(const Score *a) {
        return a->bad_signatures == 0 && a->ending == ENDING_TRUSTED && a->ca_flags == 0 &&
               a->limits == 0 && a->names == 0 && a->expired == 0 && a->weak == 0 &&
               a->key_ids == 0;
}

#define CMP(a, b) ((a) < (b) ? -1 : (a) > (b) ? 1 : 0)

/* < 0 when a is the better path. */
static int score_compare(const Score *a, const Score *b) {
        int d;

        if ((d = CMP(a->bad_signatures, b->bad_signatures)) != 0 ||
            (d = CMP(b->ending, a->ending)) != 0 || (d = CMP(a->ca_flags, b->ca_flags)) != 0 ||
            (d = CMP(a->limits, b->limits)) != 0 || (d = CMP(a->names, b->names)) != 0 ||
            (d = CMP(a->expired, b->expired)) != 0 || (d = CMP(a->weak, b->weak)) != 0 ||
            (d = CMP(a->key_ids, b->key_ids)) != 0)
                return d;
        /* A complete path: the shorter. An incomplete one: the one that got further. */
        return a->ending != ENDING_NONE ? CMP(a->length, b->length) : CMP(b->length, a->length);
}

static int search_record(Search *s) {
        Score sc;
        int r;

        r = score_path(s, s->path, s->depth, &sc);
        if (r < 0)
                return r;
        if (!s->have_best || score_compare(&sc, &s->best_score) < 0) {
                memcpy(s->best, s->path, s->depth * sizeof(int));
                s->n_best = s->depth;
                s->best_score = sc;
                s->have_best = true;
        }
        if (score_perfect(&sc))
                s->done = true;
        return 0;
}

static bool on_path(const Search *s, int y) {
        for (size_t i = 0; i < s->depth; i++)
                if (s->nodes[s->path[i]].same == s->nodes[y].same)
                        return true;
        return false;
}

/* Depth first from the last certificate of s->path: a path ends at an anchor
 * or a root, or where no issuer is left; each such path is scored. */
static int search_from(Search *s) {
        int cur = s->path[s->depth - 1];
        Node *n = &s->nodes[cur];
        bool any = false;
        int r;

        if (s->budget == 0) {
                s->done = true;
                return 0;
        }
        s->budget--;

        if (n->anchor || n->root || s->depth >= CHAIN_MAX_PATH)
                return search_record(s);

        r = node_list(s, cur);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n->n_cand && !s->done; i++) {
                int y = n->cand[i];

                if (on_path(s, y))
                        continue;
                any = true;
                s->path[s->depth++] = y;
                r = search_from(s);
                s->depth--;
                if (r < 0)
                        return r;
        }
        if (!any)
                return search_record(s);
        return 0;
}

/* ---- chain_build ------------------------------------------------------------------ */

/* Whether certificate i of b issues another certificate of b (not a root's
 * own copy of itself), as far as names and key identifiers tell. */
bool chain_issues_another(const Bundle *b, size_t i) {
        for (size_t j = 0; j < b->n_certs; j++)
                if (i != j && X509_cmp(b->certs[i], b->certs[j]) != 0 &&
                    likely_issued(b->certs[i], b->certs[j]) && !self_issued(b->certs[j]))
                        return true;
        return false;
}

/* A DNS or IP subjectAltName: the certificate names a host. */
static bool names_a_host(X509 *x) {
        GENERAL_NAMES *sans = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
        bool found = false;

        ERR_clear_error();
        for (int i = 0; i < sk_GENERAL_NAME_num(sans) && !found; i++) {
                const GENERAL_NAME *g = sk_GENERAL_NAME_value(sans, i);
                found = g->type == GEN_DNS || g->type == GEN_IPADD;
        }
        GENERAL_NAMES_free(sans);
        return found;
}

static bool is_ca_flagged(X509 *x) {
        return X509_get_extension_flags(x) & EXFLAG_CA;
}

bool chain_is_ca(const Bundle *b, size_t i) {
        X509 *x;

        if (i >= b->n_certs)
                return false;
        x = b->certs[i];
        if (!is_ca_flagged(x) || names_a_host(x))
                return false;
        return (key_usage(x) != UINT32_MAX && (key_usage(x) & KU_KEY_CERT_SIGN)) ||
               chain_issues_another(b, i);
}

int chain_guess_leaf(const Bundle *b) {
        bool all_ca = true;
        int fallback = -1;

        /* The leaf issues no other certificate of the bundle: the first such
         * one that is not a CA, ... */
        for (size_t i = 0; i < b->n_certs; i++)
                if (!is_ca_flagged(b->certs[i]) && !chain_issues_another(b, i))
                        return (int) i;
        /* ... else one marked CA that is no CA proper (a self-signed server
         * certificate made with `openssl req -x509`), ... */
        for (size_t i = 0; i < b->n_certs; i++) {
                if (chain_is_ca(b, i))
                        continue;
                all_ca = false;
                if (!chain_issues_another(b, i))
                        return (int) i;
        }
        if (all_ca)
                return -1;
        /* ... else whatever issues nothing here. */
        for (size_t i = 0; i < b->n_certs && fallback < 0; i++)
                if (!chain_issues_another(b, i))
                        fallback = (int) i;
        return fallback >= 0 ? fallback : 0;
}

/* chain_build()'s choice: a file of CAs only still gets a path, from the
 * first that issues no other one. */
static int guess_leaf(const Bundle *b) {
        int r = chain_guess_leaf(b);

        if (r >= 0)
                return r;
        for (size_t i = 0; i < b->n_certs; i++)
                if (!chain_issues_another(b, i))
                        return (int) i;
        return 0;
}

/* Whether certificate i of the bundle, or a copy of it, is used. */
static bool copy_used(const Search *s, const bool *used, size_t i) {
        for (size_t j = 0; j < s->b->n_certs; j++)
                if (used[j] && s->nodes[j].same == s->nodes[i].same)
                        return true;
        return false;
}

/* A certificate of the bundle not on the path that is a CA (and not a copy
 * of one on the path): when the path breaks off, it may belong above the gap. */
static bool stranded_ca(const Search *s, const bool *used, size_t i) {
        return !used[i] && (X509_get_extension_flags(s->b->certs[i]) & EXFLAG_CA) &&
               !copy_used(s, used, i);
}

/* "; the file's other CA certificate 1 ('CN=…') does not issue it" (or
 * "certificates 1 (…), 2 (…) do not"), or NULL when there are none. */
static int stranded_cas_text(const Search *s, const bool *used, char **ret) {
        _cleanup_(freep) char *text = NULL;
        size_t len = 0, n = 0;
        FILE *m;

        m = open_memstream(&text, &len);
        if (!m)
                return -ENOMEM;
        for (size_t i = 0; i < s->b->n_certs; i++) {
                _cleanup_(freep) char *subject = NULL;

                if (!stranded_ca(s, used, i))
                        continue;
                subject = x509_subject_string(s->b->certs[i]);
                fprintf(m, "%s%zu ('%s')", n++ ? ", " : "", i, strna(subject));
        }
        if (fclose(m) != 0 || !text)
                return -ENOMEM;
        if (n == 0) {
                *ret = NULL;
                return 0;
        }
        if (asprintf(ret, "; the file's other CA certificate%s %s do%s not issue it",
                     n == 1 ? "" : "s", text, n == 1 ? "es" : "") < 0)
                return -ENOMEM;
        return 0;
}

static int add_cert_finding(Findings *f, FindingCode code, Severity sev, const Bundle *b, int idx,
                            const char *hint, const char *fmt, ...) _printf_(7, 8);

static int add_cert_finding(Findings *f, FindingCode code, Severity sev, const Bundle *b, int idx,
                            const char *hint, const char *fmt, ...) {
        _cleanup_(freep) char *subject = NULL, *msg = NULL;
        va_list ap;
        int r;

        if (idx >= 0 && (size_t) idx < b->n_certs) {
                subject = x509_subject_string(b->certs[idx]);
                if (!subject)
                        return -ENOMEM;
        }
        va_start(ap, fmt);
        r = vasprintf(&msg, fmt, ap);
        va_end(ap);
        if (r < 0)
                return -ENOMEM;
        return findings_add(f, code, sev, b->path, idx, subject, hint, "%s", msg);
}

static int push_ref(STACK_OF(X509) *s, X509 *x) {
        if (!X509_up_ref(x))
                return -ENOMEM;
        if (!sk_X509_push(s, x)) {
                X509_free(x);
                return -ENOMEM;
        }
        return 0;
}

/* "2 (CN=leaf…), 1 (CN=CA…), then the trust anchor 'CN=Root…'": the
 * order entries are file positions, -1 for the anchor from the store. */
static int order_text(const Search *s, const int *order, size_t n, X509 *anchor, char **ret) {
        _cleanup_(freep) char *text = NULL;
        size_t len = 0;
        FILE *m;

        m = open_memstream(&text, &len);
        if (!m)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                _cleanup_(freep) char *subject =
                        x509_subject_string(order[i] >= 0 ? s->b->certs[order[i]] : anchor);
                if (order[i] >= 0)
                        fprintf(m, "%s%d (%s)", i ? ", " : "", order[i], strna(subject));
                else
                        fprintf(m, "%sthen the trust anchor '%s'", i ? ", " : "", strna(subject));
        }
        if (fclose(m) != 0 || !text)
                return -ENOMEM;
        *ret = TAKE_PTR(text);
        return 0;
}

/* The path's certificate that x of the bundle also issues (a cross-signed
 * root, a renewed intermediate), or NULL. */
static X509 *issues_on_path(const ChainResult *c, X509 *x) {
        for (int k = 0; k < sk_X509_num(c->path); k++) {
                X509 *p = sk_X509_value(c->path, k);
                if (X509_cmp(p, x) != 0 && likely_issued(x, p) && signed_by(p, x))
                        return p;
        }
        return NULL;
}

int chain_build(const Bundle *b, int leaf_hint, const ChainOptions *o, ChainResult **ret,
                Findings *f) {
        static const ChainOptions no_options = {};
        _cleanup_(chain_result_freep) ChainResult *c = NULL;
        _cleanup_(search_done) Search s = {};
        _cleanup_(freep) bool *used = NULL;
        _cleanup_(freep) int *order = NULL;
        size_t n_order = 0;
        const Node *last;
        X509 *store_anchor = NULL;
        Ending ending;
        int r;

        if (b->n_certs == 0)
                return -EINVAL;
        if (!o)
                o = &no_options;

        c = calloc(1, sizeof *c);
        used = calloc(b->n_certs, sizeof *used);
        order = calloc(b->n_certs + 1, sizeof *order);
        if (!c || !used || !order)
                return -ENOMEM;
        c->path = sk_X509_new_null();
        if (!c->path)
                return -ENOMEM;
        c->leaf = leaf_hint >= 0 && (size_t) leaf_hint < b->n_certs ? leaf_hint : guess_leaf(b);

        /* Nodes 0..n_certs-1 are the bundle's certificates, in file order. */
        r = search_init(&s, b, o);
        if (r < 0)
                return r;
        s.path[0] = c->leaf;
        s.depth = 1;
        r = search_from(&s);
        if (r < 0)
                return r;
        if (!s.have_best) { /* cannot happen: the first descent records a path */
                s.best[0] = c->leaf;
                s.n_best = 1;
                s.best_score = (Score){.ending = path_ending(&s, s.best, 1), .length = 1};
        }

        for (size_t i = 0; i < s.n_best; i++) {
                const Node *n = &s.nodes[s.best[i]];
                r = push_ref(c->path, n->x);
                if (r < 0)
                        return r;
                if (n->bundle >= 0) {
                        used[n->bundle] = true;
                        order[n_order++] = n->bundle;
                } else {
                        store_anchor = n->x;
                        order[n_order++] = -1;
                }
        }
        last = &s.nodes[s.best[s.n_best - 1]];
        ending = s.best_score.ending;
        c->complete = ending != ENDING_NONE;
        c->trusted = ending == ENDING_TRUSTED;
        c->root_from_trust = last->bundle < 0;

        /* The path stops at the first anchor; the file's certificates above
         * it (the root over an intermediate given with --trust) still belong
         * to the chain. */
        if (c->trusted && !last->root) {
                X509 *cur = last->x;
                for (bool more = true; more;) {
                        more = false;
                        for (size_t i = 0; i < b->n_certs; i++) {
                                if (copy_used(&s, used, i) || !likely_issued(b->certs[i], cur) ||
                                    !signed_by(cur, b->certs[i]))
                                        continue;
                                used[i] = true;
                                order[n_order++] = (int) i;
                                cur = b->certs[i];
                                more = !self_issued(cur);
                                break;
                        }
                }
        }

        if (c->root_from_trust) {
                _cleanup_(freep) char *as = x509_subject_string(last->x), *hint = NULL;
                if (!as)
                        return -ENOMEM;
                if (last->root)
                        /* The usual case: servers need not send the root.
                         * Said neutrally: the root may have its own findings
                         * (expired, weak) that do need action. */
                        r = findings_add(
                                f, FINDING_CHAIN_ROOT_ADDED, SEVERITY_WARNING, b->path, -1, as,
                                "The server does not send this root: clients must have it among their trusted roots (public CAs' roots are). To send it anyway, append it to the chain file.",
                                "the chain ends below the root '%s', which was taken from the trust anchors",
                                as);
                else {
                        /* An intermediate CA given as an anchor: the server
                         * would send the server certificate alone, and
                         * clients that trust only the root cannot build the
                         * path. */
                        if (asprintf(&hint,
                                     "Append '%s' (and its issuers up to the root) to the chain file, after the server certificate.",
                                     as) < 0)
                                return -ENOMEM;
                        r = findings_add(
                                f, FINDING_CHAIN_ROOT_ADDED, SEVERITY_WARNING, b->path, -1, as,
                                hint,
                                "the chain ends at '%s', taken from the trust anchors; the server will not send it, so clients that trust only the root cannot build the path",
                                as);
                }
                if (r < 0)
                        return r;
        }

        if (ending == ENDING_NONE) {
                _cleanup_(freep) char *issuer = x509_issuer_string(last->x);
                _cleanup_(freep) char *others = NULL;
                if (!issuer)
                        return -ENOMEM;
                r = stranded_cas_text(&s, used, &others);
                if (r < 0)
                        return r;
                r = add_cert_finding(
                        f, FINDING_CHAIN_INCOMPLETE, SEVERITY_ERROR, b, last->bundle, NULL,
                        "the chain is incomplete: the issuer '%s' of the last certificate is in neither the file nor the trust anchors%s",
                        issuer, others ? others : "");
                if (r < 0)
                        return r;
        } else if (ending == ENDING_UNTRUSTED_ROOT) {
                _cleanup_(freep) char *root = x509_subject_string(last->x);
                if (!root)
                        return -ENOMEM;
                r = add_cert_finding(
                        f, FINDING_CHAIN_INCOMPLETE, SEVERITY_ERROR, b, last->bundle,
                        "If this root is to be trusted, pass it with --trust; otherwise ask the CA for a chain that ends at a trusted root.",
                        "the chain ends at the self-signed '%s', which is not a trust anchor",
                        root);
                if (r < 0)
                        return r;
        }

        /* Order: the chain's certificates must come first in the file, in
         * chain order. Extra certificates are CHAIN_UNRELATED, below. */
        {
                bool in_order = order[0] == 0;
                int prev = -1;

                for (size_t i = 0; i < n_order; i++) {
                        if (order[i] < 0)
                                continue;
                        if (order[i] < prev)
                                in_order = false;
                        prev = order[i];
                }
                if (!in_order) {
                        _cleanup_(freep) char *text = NULL;
                        r = order_text(&s, order, n_order, store_anchor, &text);
                        if (r < 0)
                                return r;
                        r = add_cert_finding(f, FINDING_CHAIN_ORDER, SEVERITY_ERROR, b, order[0],
                                             NULL,
                                             "the certificates are not in chain order (server certificate first, each followed by its issuer); the correct order of the certificates in the file is: %s",
                                             text);
                        if (r < 0)
                                return r;
                }
        }

        /* Signatures along the path (the root's own is not checked, as by TLS clients). */
        for (size_t i = 0; i + 1 < s.n_best; i++) {
                const Node *sub = &s.nodes[s.best[i]], *iss = &s.nodes[s.best[i + 1]];
                _cleanup_(freep) char *iss_name = NULL;

                if (link_signed(&s, s.best[i], s.best[i + 1]))
                        continue;
                iss_name = x509_subject_string(iss->x);
                if (!iss_name)
                        return -ENOMEM;
                r = add_cert_finding(f, FINDING_CHAIN_SIGNATURE, SEVERITY_ERROR, b, sub->bundle,
                                     NULL,
                                     "the signature of this certificate does not verify with the key of its issuer '%s'",
                                     iss_name);
                if (r < 0)
                        return r;
        }

        /* Whatever is left is not part of the leaf's chain. When the chain
         * breaks off at a missing issuer, a CA certificate left over may
         * belong above it: CHAIN_INCOMPLETE has named it, and calling it
         * unrelated (hint: remove it) could be wrong. */
        for (size_t i = 0; i < b->n_certs; i++) {
                X509 *issued;

                if (used[i])
                        continue;
                if (!c->complete && stranded_ca(&s, used, i))
                        continue;
                if (copy_used(&s, used, i)) {
                        r = add_cert_finding(f, FINDING_CHAIN_UNRELATED, SEVERITY_ERROR, b,
                                             (int) i, "Remove the duplicate certificate.",
                                             "this certificate appears in the file more than once");
                } else if (c->trusted && (issued = issues_on_path(c, b->certs[i]))) {
                        _cleanup_(freep) char *sub = x509_subject_string(issued);
                        if (!sub)
                                return -ENOMEM;
                        r = add_cert_finding(
                                f, FINDING_CHAIN_UNRELATED, SEVERITY_ERROR, b, (int) i,
                                "Remove it, unless clients that need this other path (for example through a cross-signed root) must be served.",
                                "this certificate also issues '%s' but is not on the chain used, which is complete without it",
                                sub);
                } else {
                        _cleanup_(freep) char *leaf = x509_subject_string(b->certs[c->leaf]);
                        if (!leaf)
                                return -ENOMEM;
                        r = add_cert_finding(f, FINDING_CHAIN_UNRELATED, SEVERITY_ERROR, b,
                                             (int) i, NULL,
                                             "this certificate is not part of the chain of the server certificate '%s'",
                                             leaf);
                }
                if (r < 0)
                        return r;
        }

        *ret = TAKE_PTR(c);
        return 0;
}

/* ---- chain_check_ca_flags ------------------------------------------------------- */

int chain_check_ca_flags(const Bundle *b, const ChainResult *c, Findings *f) {
        int n = sk_X509_num(c->path);
        int r;

        for (int i = 0; i < n; i++) {
                X509 *x = sk_X509_value(c->path, i);
                uint32_t flags = X509_get_extension_flags(x);
                uint32_t ku = key_usage(x);
                int idx = chain_bundle_index(b, x);
                _cleanup_(freep) char *subject = NULL;

                if (idx < 0) /* a trust anchor: trusted as it is */
                        continue;
                subject = x509_subject_string(x);
                if (!subject)
                        return -ENOMEM;

                if (i == 0) {
                        if ((flags & EXFLAG_BCONS) && (flags & EXFLAG_CA)) {
                                bool alone = n == 1;
                                r = findings_add(
                                        f, FINDING_CHAIN_CA_FLAGS, SEVERITY_ERROR, b->path, idx,
                                        subject,
                                        alone ? "Make the self-signed certificate again with -addext basicConstraints=critical,CA:FALSE (TLS clients refuse a CA certificate as a server certificate)."
                                              : NULL,
                                        "the server certificate is marked as a CA (basicConstraints CA:TRUE)");
                                if (r < 0)
                                        return r;
                        }
                        continue;
                }

                if (!(flags & EXFLAG_BCONS) || !(flags & EXFLAG_CA)) {
                        r = findings_add(f, FINDING_CHAIN_CA_FLAGS, SEVERITY_ERROR, b->path, idx,
                                         subject, NULL,
                                         "this certificate issues the one before it but is not a CA (%s)",
                                         (flags & EXFLAG_BCONS) ? "basicConstraints CA:FALSE"
                                                                : "no basicConstraints CA:TRUE");
                        if (r < 0)
                                return r;
                } else if (ku != UINT32_MAX && !(ku & KU_KEY_CERT_SIGN)) {
                        r = findings_add(f, FINDING_CHAIN_CA_FLAGS, SEVERITY_ERROR, b->path, idx,
                                         subject, NULL,
                                         "this CA certificate's keyUsage does not allow signing certificates (keyCertSign missing)");
                        if (r < 0)
                                return r;
                }

                /* pathlen: the number of non-self-issued intermediates below this CA. */
                long pathlen = path_len(x);
                if (pathlen >= 0) {
                        long below = 0;
                        for (int j = 1; j < i; j++)
                                if (!names_self_issued(sk_X509_value(c->path, j)))
                                        below++;
                        if (below > pathlen) {
                                r = findings_add(f, FINDING_CHAIN_CA_FLAGS, SEVERITY_ERROR,
                                                 b->path, idx, subject, NULL,
                                                 "path length exceeded: this CA allows %ld intermediate CA certificate(s) below it (pathlen:%ld), the chain has %ld",
                                                 pathlen, pathlen, below);
                                if (r < 0)
                                        return r;
                        }
                }
        }
        return 0;
}

/* ---- chain_verify ----------------------------------------------------------------- */

typedef struct VerifyErrors {
        int err[32];
        int depth[32];
        X509_CRL *crl[32]; /* for CERT_REVOKED and the CRL errors: the CRL concerned (borrowed) */
        X509 *invalid[32]; /* the certificate with an undecodable extension behind it, or NULL */
        size_t n;
} VerifyErrors;

static int verify_errors_index = -1;

/* OpenSSL's errors about a CRL (not about the certificate it is used for). */
static bool crl_error(int err) {
        switch (err) {
        case X509_V_ERR_UNABLE_TO_GET_CRL:
        case X509_V_ERR_UNABLE_TO_DECRYPT_CRL_SIGNATURE:
        case X509_V_ERR_CRL_SIGNATURE_FAILURE:
        case X509_V_ERR_CRL_NOT_YET_VALID:
        case X509_V_ERR_CRL_HAS_EXPIRED:
        case X509_V_ERR_ERROR_IN_CRL_LAST_UPDATE_FIELD:
        case X509_V_ERR_ERROR_IN_CRL_NEXT_UPDATE_FIELD:
        case X509_V_ERR_UNABLE_TO_GET_CRL_ISSUER:
        case X509_V_ERR_KEYUSAGE_NO_CRL_SIGN:
        case X509_V_ERR_UNHANDLED_CRITICAL_CRL_EXTENSION:
        case X509_V_ERR_DIFFERENT_CRL_SCOPE:
        case X509_V_ERR_CRL_PATH_VALIDATION_ERROR:
                return true;
        default:
                return false;
        }
}

static int verify_cb(int ok, X509_STORE_CTX *ctx) {
        VerifyErrors *e;
        int err, depth;

        if (ok)
                return ok;
        e = X509_STORE_CTX_get_ex_data(ctx, verify_errors_index);
        err = X509_STORE_CTX_get_error(ctx);
        depth = X509_STORE_CTX_get_error_depth(ctx);
        if (e && e->n < ELEMENTSOF(e->err)) {
                bool seen = false;
                for (size_t i = 0; i < e->n; i++)
                        if (e->err[i] == err && e->depth[i] == depth)
                                seen = true;
                if (!seen) {
                        e->err[e->n] = err;
                        e->depth[e->n] = depth;
                        e->crl[e->n] = err == X509_V_ERR_CERT_REVOKED || crl_error(err)
                                               ? X509_STORE_CTX_get0_current_crl(ctx)
                                               : NULL;
                        e->n++;
                }
        }
        /* Keep going, to collect every reason, except where OpenSSL cannot. */
        return 1;
}

/* Whether an OpenSSL verification error is already reported by a more
 * specific finding. */
static bool explained(int err, const Findings *f) {
        switch (err) {
        case X509_V_ERR_CERT_HAS_EXPIRED:
        case X509_V_ERR_CERT_NOT_YET_VALID:
        case X509_V_ERR_ERROR_IN_CERT_NOT_BEFORE_FIELD:
        case X509_V_ERR_ERROR_IN_CERT_NOT_AFTER_FIELD:
                return findings_has_code(f, FINDING_CERT_EXPIRING) ||
                       findings_has_code(f, FINDING_CERT_NOT_YET_VALID);
        case X509_V_ERR_CERT_SIGNATURE_FAILURE:
        case X509_V_ERR_UNABLE_TO_DECRYPT_CERT_SIGNATURE:
                return findings_has_code(f, FINDING_CHAIN_SIGNATURE);
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
        case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
        case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
        case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
                return findings_has_code(f, FINDING_CHAIN_INCOMPLETE) ||
                       findings_has_code(f, FINDING_CHAIN_SIGNATURE);
        case X509_V_ERR_INVALID_CA:
        case X509_V_ERR_PATH_LENGTH_EXCEEDED:
        case X509_V_ERR_KEYUSAGE_NO_CERTSIGN:
        case X509_V_ERR_PATHLEN_INVALID_FOR_NON_CA:
        case X509_V_ERR_PATHLEN_WITHOUT_KU_KEY_CERT_SIGN:
        case X509_V_ERR_KU_KEY_CERT_SIGN_INVALID_FOR_NON_CA:
                return findings_has_code(f, FINDING_CHAIN_CA_FLAGS);
        case X509_V_ERR_INVALID_PURPOSE:
                return findings_has_code(f, FINDING_EKU) ||
                       findings_has_code(f, FINDING_CHAIN_CA_FLAGS) ||
                       findings_has_code(f, FINDING_KEY_USAGE);
        case X509_V_ERR_EE_KEY_TOO_SMALL:
        case X509_V_ERR_CA_KEY_TOO_SMALL:
        case X509_V_ERR_CA_MD_TOO_WEAK:
                return findings_has_code(f, FINDING_WEAK_KEY) ||
                       findings_has_code(f, FINDING_WEAK_SIGNATURE);
        default:
                return false;
        }
}

/* The certificate at depth d of the chain OpenSSL built, else of c's path. */
static X509 *cert_at_depth(STACK_OF(X509) *built, const ChainResult *c, int d) {
        if (d >= 0 && d < sk_X509_num(built))
                return sk_X509_value(built, d);
        if (d >= 0 && d < sk_X509_num(c->path))
                return sk_X509_value(c->path, d);
        return NULL;
}

/* The certificate with an extension that does not decode that an error at
 * depth d comes from: the one at d, or, when OpenSSL found no issuer for it
 * (it refuses such a certificate as an issuer), the issuer c's path has
 * there. NULL when there is none. */
static X509 *invalid_cause(int err, int d, STACK_OF(X509) *built, const ChainResult *c) {
        X509 *x = cert_at_depth(built, c, d);

        if (ext_invalid(x))
                return x;
        switch (err) {
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
        case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
                if (d >= 0 && d + 1 < sk_X509_num(c->path) &&
                    ext_invalid(sk_X509_value(c->path, d + 1)))
                        return sk_X509_value(c->path, d + 1);
                return NULL;
        default:
                return NULL;
        }
}

/* Whether policy has reported x, a certificate of b, as CERT_INVALID. */
static bool invalid_reported(const Bundle *b, X509 *x, const Findings *f) {
        int idx = chain_bundle_index(b, x);

        if (idx < 0)
                return false;
        for (size_t i = 0; i < f->n; i++)
                if (f->items[i].code == FINDING_CERT_INVALID && f->items[i].cert == idx &&
                    f->items[i].file && b->path && streq(f->items[i].file, b->path))
                        return true;
        return false;
}

/* Drops the errors that are no failure here, or said by another finding.
 * built is the chain OpenSSL built (the depths count in it). */
static void verify_errors_filter(VerifyErrors *e, int path_len, bool complete, Profile profile,
                                 const Bundle *b, const ChainResult *c, STACK_OF(X509) *built,
                                 const Findings *f) {
        size_t k = 0;

        for (size_t i = 0; i < e->n; i++) {
                int err = e->err[i];
                X509 *bad = invalid_cause(err, e->depth[i], built, c);

                if (explained(err, f))
                        continue;
                /* Whatever OpenSSL says about a certificate with an extension
                 * that does not decode, CERT_INVALID says it better. */
                if (bad && invalid_reported(b, bad, f))
                        continue;
                /* No CRL given for this certificate: not checked, not a
                 * failure (the operator passes the CRLs they have; the
                 * server certificate's missing one is a warning of its own). */
                if (err == X509_V_ERR_UNABLE_TO_GET_CRL)
                        continue;
                /* RFC 5280's key identifier rules are the strict profile's
                 * (CERT_FORMAT says it there); TLS clients do not need them. */
                if ((err == X509_V_ERR_MISSING_AUTHORITY_KEY_IDENTIFIER ||
                     err == X509_V_ERR_MISSING_SUBJECT_KEY_IDENTIFIER) &&
                    (profile != PROFILE_STRICT || findings_has_code(f, FINDING_CERT_FORMAT)))
                        continue;
                /* A root made with `openssl req -x509` and the default
                 * configuration has no keyUsage. RFC 5280 does not apply
                 * certificate rules to a trust anchor (6.1.1 d), and neither do
                 * browsers; only X509_STRICT objects. Not a reason to refuse
                 * an operator's private CA. */
                if (err == X509_V_ERR_CA_CERT_MISSING_KEY_USAGE && complete &&
                    e->depth[i] == path_len - 1)
                        continue;
                e->err[k] = err;
                e->depth[k] = e->depth[i];
                e->crl[k] = e->crl[i];
                e->invalid[k] = bad;
                k++;
        }
        e->n = k;
}

/* One run of X509_verify_cert() on leaf with `untrusted`; the errors
 * (unfiltered) and the chain OpenSSL built are returned. */
static int verify_once(X509_STORE *store, X509 *leaf, STACK_OF(X509) *untrusted,
                       unsigned long extra_flags, VerifyErrors *ret_errors,
                       STACK_OF(X509) **ret_chain) {
        _cleanup_(X509_STORE_CTX_freep) X509_STORE_CTX *ctx = NULL;
        X509_VERIFY_PARAM *param;
        VerifyErrors e = {};
        int r;

        ctx = X509_STORE_CTX_new();
        if (!ctx)
                return -ENOMEM;
        if (X509_STORE_CTX_init(ctx, store, leaf, untrusted) != 1)
                return -ENOMEM;
        param = X509_STORE_CTX_get0_param(ctx);
        /* Validity dates are policy's (CERT_EXPIRING, CERT_NOT_YET_VALID):
         * OpenSSL holds a certificate expired at the second of its
         * notAfter, which RFC 5280 4.1.2.5 still counts as valid. */
        X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_X509_STRICT | X509_V_FLAG_PARTIAL_CHAIN |
                                                   X509_V_FLAG_NO_CHECK_TIME | extra_flags);
        X509_VERIFY_PARAM_set_purpose(param, X509_PURPOSE_SSL_SERVER);
        X509_VERIFY_PARAM_set_auth_level(param, 0);
        /* OpenSSL also holds the subject CN of a leaf without DNS
         * subjectAltNames to DNS name constraints, as if it were a host
         * name. With subjectAltNames the CN names no host (RFC 6125 6.4.4,
         * browsers; SAN_MISSING covers a leaf without them), so only the
         * SANs and the subject DN are held to the constraints. */
        if (has_extension(leaf, NID_subject_alt_name))
                X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NEVER_CHECK_SUBJECT);
        X509_STORE_CTX_set_verify_cb(ctx, verify_cb);
        X509_STORE_CTX_set_ex_data(ctx, verify_errors_index, &e);

        r = X509_verify_cert(ctx);
        ERR_clear_error();
        if (r != 1 && e.n == 0) {
                e.err[0] = X509_STORE_CTX_get_error(ctx);
                e.depth[0] = X509_STORE_CTX_get_error_depth(ctx);
                e.n = 1;
        }
        *ret_chain = X509_STORE_CTX_get1_chain(ctx);
        ERR_clear_error();
        *ret_errors = e;
        return 0;
}

static int check_max_depth(const Bundle *b, const ChainResult *c, int max, Findings *f) {
        int n = sk_X509_num(c->path);
        X509 *x[CHAIN_MAX_PATH];
        unsigned inter;

        if (max <= 0 || n > CHAIN_MAX_PATH)
                return 0;
        for (int i = 0; i < n; i++)
                x[i] = sk_X509_value(c->path, i);
        inter = path_intermediates(x, (size_t) n, c->complete);
        if (inter + 1 <= (unsigned) max)
                return 0;
        return add_cert_finding(f, FINDING_PATH_INVALID, SEVERITY_ERROR, b, c->leaf,
                                "Ask the CA for a shorter chain, or allow a longer one.",
                                "the chain has %u intermediate CA certificate%s below its trust anchor (self-issued ones not counted), more than the %d allowed",
                                inter, inter == 1 ? "" : "s", max - 1);
}

/* Wildcard subjectAltNames of the leaf that could stand for a name the name
 * constraints above it exclude. */
static int check_wildcards(const Bundle *b, const ChainResult *c, Findings *f) {
        X509 *leaf = sk_X509_value(c->path, 0);
        int r;

        for (int j = 1; j < sk_X509_num(c->path); j++) {
                X509 *ca = sk_X509_value(c->path, j);
                _cleanup_(NAME_CONSTRAINTS_freep) NAME_CONSTRAINTS *nc = name_constraints(ca);
                _cleanup_(freep) char *wildcard = NULL, *excluded = NULL, *subject = NULL;

                r = wildcard_excluded(leaf, nc, &wildcard, &excluded);
                if (r < 0)
                        return r;
                if (r == 0)
                        continue;
                subject = x509_subject_string(ca);
                if (!subject)
                        return -ENOMEM;
                return add_cert_finding(
                        f, FINDING_PATH_INVALID, SEVERITY_ERROR, b, c->leaf,
                        "Ask the CA for a certificate that names the hosts instead of a wildcard, or one issued by a CA that may issue for them.",
                        "the wildcard '%s' stands for '%s' too, which the name constraints of '%s' exclude",
                        wildcard, excluded, subject);
        }
        return 0;
}

static int push_all_but(STACK_OF(X509) *s, X509 *const *x, size_t n, const X509 *skip) {
        int r;

        for (size_t i = 0; i < n; i++) {
                if (x[i] == skip)
                        continue;
                r = push_ref(s, x[i]);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* ---- revocation ---------------------------------------------------------------------- */

static void openssl_strfreep(char **p) {
        OPENSSL_free(*p);
        *p = NULL;
}

DEFINE_PTR_CLEANUP(ASN1_ENUMERATED, ASN1_ENUMERATED_free)

/* "the CRL of 'CN=…' issued 2024-01-01T00:00:00Z" (malloc'd): how messages
 * name a CRL. */
static char *crl_describe(const X509_CRL *crl) {
        _cleanup_(BIO_free_allp) BIO *bio = NULL;
        char when[32] = "", *data = NULL, *s = NULL;
        time_t t;
        long k;

        bio = BIO_new(BIO_s_mem());
        if (!bio)
                return NULL;
        if (X509_NAME_print_ex(bio, X509_CRL_get_issuer(crl), 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) < 0)
                ERR_clear_error();
        k = BIO_get_mem_data(bio, &data);
        if (k < 0 || !data)
                k = 0;
        if (time_from_asn1(X509_CRL_get0_lastUpdate(crl), &t) >= 0)
                time_format_rfc3339(t, when, sizeof when);
        ERR_clear_error();
        if (asprintf(&s, "the CRL of '%.*s'%s%s", (int) k, k > 0 ? data : "",
                     when[0] ? " issued " : "", when) < 0)
                return NULL;
        return s;
}

/* The CRL's authorityKeyIdentifier names a key other than issuer's: the CRL
 * of another key of a CA of the same name (a rekeyed CA), not issuer's. */
static bool crl_from_other_key(const X509_CRL *crl, X509 *issuer) {
        _cleanup_(AUTHORITY_KEYID_freep) AUTHORITY_KEYID *akid = NULL;
        const ASN1_OCTET_STRING *ski = X509_get0_subject_key_id(issuer);

        akid = X509_CRL_get_ext_d2i(crl, NID_authority_key_identifier, NULL, NULL);
        ERR_clear_error();
        return akid && akid->keyid && ski && ASN1_OCTET_STRING_cmp(akid->keyid, ski) != 0;
}

/* The first certificate of c's path that crl speaks for, or -1: one whose
 * issuer is on the path too (a trust anchor's own revocation is not
 * checked, nor that of a certificate whose issuer is missing), with the
 * CRL's issuer name and, if the CRL has an authorityKeyIdentifier, that
 * issuer's key. */
static int crl_position(const ChainResult *c, const X509_CRL *crl) {
        int n = sk_X509_num(c->path);

        for (int i = 0; i + 1 < n; i++) {
                X509 *x = sk_X509_value(c->path, i), *issuer = sk_X509_value(c->path, i + 1);

                if (X509_NAME_cmp(X509_CRL_get_issuer(crl), X509_get_issuer_name(x)) != 0)
                        continue;
                if (crl_from_other_key(crl, issuer))
                        continue;
                return i;
        }
        return -1;
}

typedef struct CrlCheck {
        const Bundle *b;
        int idx;         /* the certificate the CRL is for: its position in the file, or -1 */
        const char *subject;
        const char *what; /* crl_describe() */
        Findings *f;
        bool usable;
} CrlCheck;

static int crl_problem(CrlCheck *k, Severity sev, const char *hint, const char *fmt, ...)
        _printf_(4, 5);

static int crl_problem(CrlCheck *k, Severity sev, const char *hint, const char *fmt, ...) {
        _cleanup_(freep) char *msg = NULL;
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = vasprintf(&msg, fmt, ap);
        va_end(ap);
        if (r < 0)
                return -ENOMEM;
        if (sev == SEVERITY_ERROR)
                k->usable = false;
        return findings_add(k->f, FINDING_CRL_INVALID, sev, k->b->path, k->idx, k->subject, hint,
                            "%s", msg);
}

#define CRL_HINT_STALE \
        "Download the current CRL from the CA (the URL is in the certificate's CRL Distribution Points) and check again."
#define CRL_HINT_RFC5280 \
        "Ask the CA for a CRL that follows RFC 5280: exactly one CRLNumber extension, not marked critical."

/* RFC 5280's rules for a CRL that speaks for x, issued by issuer, checked
 * before OpenSSL uses it; each problem is a CRL_INVALID finding (an error
 * makes the CRL unusable, k->usable false). */
static int crl_check_rules(CrlCheck *k, X509_CRL *crl, X509 *issuer, time_t now) {
        _cleanup_(freep) char *issuer_subject = x509_subject_string(issuer);
        _cleanup_(ASN1_INTEGER_freep) ASN1_INTEGER *number = NULL;
        const ASN1_TIME *next = X509_CRL_get0_nextUpdate(crl);
        EVP_PKEY *key = X509_get0_pubkey(issuer);
        uint32_t ku = key_usage(issuer);
        char when[32];
        time_t t;
        int loc, cmp, r;

        if (!issuer_subject)
                return -ENOMEM;

        /* 6.3.3 (f), (g): signed by the certificate's issuer, which may sign CRLs. */
        if (!key || X509_CRL_verify(crl, key) != 1) {
                r = crl_problem(k, SEVERITY_ERROR,
                                "The CRL is damaged, or not signed with the key of the CA certificate in the chain: download it again from the CA.",
                                "%s cannot be used: its signature does not verify with the key of '%s', the issuer of this certificate",
                                k->what, issuer_subject);
                if (r < 0)
                        return r;
        }
        ERR_clear_error();
        if (ku != UINT32_MAX && !(ku & KU_CRL_SIGN)) {
                r = crl_problem(k, SEVERITY_ERROR,
                                "Ask the CA for a CRL signed by a CA certificate whose keyUsage includes cRLSign.",
                                "%s cannot be used: its issuer '%s' may not sign CRLs (keyUsage without cRLSign, RFC 5280 4.2.1.3)",
                                k->what, issuer_subject);
                if (r < 0)
                        return r;
        }

        /* 5.2.3: conforming CRL issuers MUST include a non-critical CRLNumber. */
        loc = X509_CRL_get_ext_by_NID(crl, NID_crl_number, -1);
        if (loc < 0)
                r = crl_problem(k, SEVERITY_ERROR, CRL_HINT_RFC5280,
                                "%s cannot be used: it has no CRLNumber extension, which RFC 5280 5.2.3 requires",
                                k->what);
        else if (X509_CRL_get_ext_by_NID(crl, NID_crl_number, loc) >= 0)
                r = crl_problem(k, SEVERITY_ERROR, CRL_HINT_RFC5280,
                                "%s cannot be used: it has more than one CRLNumber extension", k->what);
        else if (X509_EXTENSION_get_critical(X509_CRL_get_ext(crl, loc)))
                r = crl_problem(k, SEVERITY_ERROR, CRL_HINT_RFC5280,
                                "%s cannot be used: its CRLNumber extension is marked critical, which RFC 5280 5.2.3 forbids",
                                k->what);
        else if (!(number = X509_CRL_get_ext_d2i(crl, NID_crl_number, NULL, NULL)))
                r = crl_problem(k, SEVERITY_ERROR, CRL_HINT_RFC5280,
                                "%s cannot be used: its CRLNumber extension cannot be read", k->what);
        else
                r = 0;
        ERR_clear_error();
        if (r < 0)
                return r;

        /* Dates: a stale CRL still proves what it lists, so it is used; but
         * a certificate revoked after it was issued is not on it. */
        cmp = ASN1_TIME_cmp_time_t(X509_CRL_get0_lastUpdate(crl), now);
        if (cmp == -2)
                r = crl_problem(k, SEVERITY_ERROR, CRL_HINT_STALE,
                                "%s cannot be used: its thisUpdate date cannot be read", k->what);
        else if (cmp > 0)
                r = crl_problem(k, SEVERITY_WARNING, CRL_HINT_STALE,
                                "%s is not valid yet at the time of the check (its thisUpdate is in the future): check the clock or --now",
                                k->what);
        else
                r = 0;
        if (r < 0)
                return r;
        if (next) {
                cmp = ASN1_TIME_cmp_time_t(next, now);
                if (cmp == -2)
                        r = crl_problem(k, SEVERITY_ERROR, CRL_HINT_STALE,
                                        "%s cannot be used: its nextUpdate date cannot be read",
                                        k->what);
                else if (cmp < 0)
                        r = crl_problem(
                                k, SEVERITY_WARNING, CRL_HINT_STALE,
                                "%s is out of date: its nextUpdate, %s, has passed, so a certificate revoked since is not on it; this certificate was checked against it all the same",
                                k->what,
                                time_from_asn1(next, &t) >= 0
                                        ? time_format_rfc3339(t, when, sizeof when)
                                        : "(unreadable)");
                if (r < 0)
                        return r;
        }
        ERR_clear_error();
        return 0;
}

/* Checks the CRLs of o->crls that speak for a certificate of c's path and
 * adds the usable ones to store; *ret_any says whether any was added. The
 * others are left out: OpenSSL never sees a CRL that is not for this path.
 * Adds the warning when no CRL speaks for the server certificate. */
static int crls_prepare(const Bundle *b, const ChainResult *c, const ChainOptions *o,
                        X509_STORE *store, bool *ret_any, Findings *f) {
        int n = sk_X509_num(c->path), r;
        bool any = false, leaf_seen = false;

        for (int j = 0; j < sk_X509_CRL_num(o->crls); j++) {
                X509_CRL *crl = sk_X509_CRL_value(o->crls, j);
                _cleanup_(freep) char *what = NULL, *subject = NULL;
                int pos = crl_position(c, crl);
                X509 *x;

                if (pos < 0)
                        continue;
                x = sk_X509_value(c->path, pos);
                what = crl_describe(crl);
                subject = x509_subject_string(x);
                if (!what || !subject)
                        return -ENOMEM;
                CrlCheck k = {
                        .b = b,
                        .idx = chain_bundle_index(b, x),
                        .subject = subject,
                        .what = what,
                        .f = f,
                        .usable = true,
                };
                r = crl_check_rules(&k, crl, sk_X509_value(c->path, pos + 1), o->now);
                if (r < 0)
                        return r;
                if (pos == 0)
                        leaf_seen = true;
                if (!k.usable)
                        continue;
                if (X509_STORE_add_crl(store, crl) != 1)
                        ERR_clear_error(); /* the same CRL twice */
                any = true;
        }

        if (!leaf_seen && sk_X509_CRL_num(o->crls) > 0 && n >= 2) {
                _cleanup_(freep) char *issuer = x509_issuer_string(sk_X509_value(c->path, 0));

                if (!issuer)
                        return -ENOMEM;
                r = add_cert_finding(
                        f, FINDING_CRL_INVALID, SEVERITY_WARNING, b, c->leaf,
                        "Pass the CRL of the CA that issued the server certificate with --crl (the URL is in the certificate's CRL Distribution Points).",
                        "the revocation of the server certificate was not checked: none of the CRLs given is from its issuer '%s'",
                        issuer);
                if (r < 0)
                        return r;
        }
        *ret_any = any;
        return 0;
}

static const char *crl_reason_to_string(long reason) {
        static const char *const table[] = {
                [0] = "unspecified",         [1] = "keyCompromise",
                [2] = "cACompromise",        [3] = "affiliationChanged",
                [4] = "superseded",          [5] = "cessationOfOperation",
                [6] = "certificateHold",     [8] = "removeFromCRL",
                [9] = "privilegeWithdrawn",  [10] = "aACompromise",
        };

        if (reason < 0 || reason >= (long) ELEMENTSOF(table))
                return NULL;
        return table[reason];
}

/* CERT_REVOKED for x (depth d of the path), found on crl. */
static int add_revoked(const Bundle *b, X509 *x, int d, X509_CRL *crl, Findings *f) {
        _cleanup_(freep) char *what = NULL, *subject = NULL;
        _cleanup_(BN_freep) BIGNUM *bn = NULL;
        _cleanup_(openssl_strfreep) char *serial = NULL;
        _cleanup_(ASN1_ENUMERATED_freep) ASN1_ENUMERATED *reason = NULL;
        X509_REVOKED *rev = NULL;
        char date[32] = "", why[64] = "", when_why[160];
        const char *reason_name = NULL;
        time_t t;
        int idx = chain_bundle_index(b, x);

        what = crl ? crl_describe(crl) : strdup("a CRL");
        bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
        serial = bn ? BN_bn2hex(bn) : NULL;
        if (!what || !serial)
                return -ENOMEM;
        if (crl && X509_CRL_get0_by_cert(crl, &rev, x) > 0 && rev) {
                int crit = 0;

                if (time_from_asn1(X509_REVOKED_get0_revocationDate(rev), &t) >= 0)
                        time_format_rfc3339(t, date, sizeof date);
                reason = X509_REVOKED_get_ext_d2i(rev, NID_crl_reason, &crit, NULL);
                if (reason) {
                        long v = ASN1_ENUMERATED_get(reason);

                        reason_name = crl_reason_to_string(v);
                        if (!reason_name) {
                                snprintf(why, sizeof why, "reason code %ld", v);
                                reason_name = why;
                        }
                }
        }
        ERR_clear_error();

        subject = x509_subject_string(x);
        if (!subject)
                return -ENOMEM;
        if (reason_name)
                snprintf(when_why, sizeof when_why, "%s%s, reason: %s",
                         date[0] ? " as revoked on " : "", date, reason_name);
        else
                snprintf(when_why, sizeof when_why, "%s%s", date[0] ? " as revoked on " : "",
                         date);
        if (d == 0)
                return findings_add(f, FINDING_CERT_REVOKED, SEVERITY_ERROR, b->path, idx, subject,
                                    NULL,
                                    "the server certificate (serial %s) is revoked: %s lists it%s",
                                    serial, what, when_why);
        return findings_add(
                f, FINDING_CERT_REVOKED, SEVERITY_ERROR, b->path, idx, subject,
                "Ask the CA for a certificate issued under a CA certificate that is not revoked, and its new chain.",
                "the CA certificate '%s' (serial %s) in the chain is revoked: %s lists it%s", subject,
                serial, what, when_why);
}

/* Whether errors hold a CRL error at depth d: then the CRL OpenSSL used
 * there proves nothing and its CERT_REVOKED is not reported. */
static bool crl_error_at(const VerifyErrors *e, int d) {
        for (size_t i = 0; i < e->n; i++)
                if (e->depth[i] == d && crl_error(e->err[i]))
                        return true;
        return false;
}

int chain_verify(const Bundle *b, const ChainResult *c, const ChainOptions *o, Findings *f) {
        static const ChainOptions no_options = {};
        _cleanup_(X509_STORE_freep) X509_STORE *store = NULL;
        _cleanup_(sk_X509_pop_freep) STACK_OF(X509) *untrusted = NULL, *built = NULL;
        VerifyErrors errors = {};
        unsigned long crl_flags = 0;
        int n = sk_X509_num(c->path), r;
        X509 *leaf = sk_X509_value(c->path, 0);
        bool any_crl = false;

        if (!o)
                o = &no_options;
        if (verify_errors_index < 0) {
                verify_errors_index = X509_STORE_CTX_get_ex_new_index(0, NULL, NULL, NULL, NULL);
                if (verify_errors_index < 0)
                        return -ENOMEM;
        }

        store = X509_STORE_new();
        untrusted = sk_X509_new_null();
        if (!store || !untrusted)
                return -ENOMEM;
        for (int i = 0; i < sk_X509_num(o->anchors); i++)
                if (X509_STORE_add_cert(store, sk_X509_value(o->anchors, i)) != 1)
                        ERR_clear_error(); /* a duplicate anchor */
        /* The chain's own self-signed root is an anchor too (the operator
         * vouches for it by uploading it), unless distrusted: then the path
         * is not trusted and chain_build() said so. */
        if (c->trusted && !c->root_from_trust) {
                X509 *last = sk_X509_value(c->path, n - 1);
                if (self_issued(last) && X509_STORE_add_cert(store, last) != 1)
                        ERR_clear_error();
        }

        /* Revocation: every certificate of the path that a usable CRL
         * speaks for (CRL_CHECK_ALL); one without a CRL is not checked
         * (verify_errors_filter() drops UNABLE_TO_GET_CRL). */
        if (sk_X509_CRL_num(o->crls) > 0) {
                r = crls_prepare(b, c, o, store, &any_crl, f);
                if (r < 0)
                        return r;
                if (any_crl)
                        crl_flags = X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL;
        }

        /* First the path chain_build() chose, ... */
        for (int i = 1; i < n; i++) {
                r = push_ref(untrusted, sk_X509_value(c->path, i));
                if (r < 0)
                        return r;
        }
        r = verify_once(store, leaf, untrusted, crl_flags, &errors, &built);
        if (r < 0)
                return r;
        verify_errors_filter(&errors, n, c->complete, o->profile, b, c, built, f);

        /* ... then, when OpenSSL refuses it, OpenSSL's own path building
         * over the whole file: a path it accepts is as good. */
        if (errors.n > 0 && b->n_certs > (size_t) n - (c->root_from_trust ? 1 : 0)) {
                _cleanup_(sk_X509_pop_freep) STACK_OF(X509) *all = sk_X509_new_null(),
                                                            *other_chain = NULL;
                VerifyErrors other = {};

                if (!all)
                        return -ENOMEM;
                r = push_all_but(all, b->certs, b->n_certs, leaf);
                if (r < 0)
                        return r;
                r = verify_once(store, leaf, all, crl_flags, &other, &other_chain);
                if (r < 0)
                        return r;
                verify_errors_filter(&other, sk_X509_num(other_chain), true, o->profile, b, c,
                                     other_chain, f);
                if (other.n == 0)
                        errors.n = 0;
        }

        for (size_t i = 0; i < errors.n; i++) {
                X509 *x = NULL;
                int idx = -1, d = errors.depth[i];
                _cleanup_(freep) char *subject = NULL;

                /* The depth counts in the chain OpenSSL built, which may end at
                 * another anchor than c's path (the same name and key). */
                if (d >= 0 && d < sk_X509_num(built))
                        x = sk_X509_value(built, d);
                else if (d >= 0 && d < n)
                        x = sk_X509_value(c->path, d);
                if (errors.err[i] == X509_V_ERR_CERT_REVOKED && x) {
                        if (crl_error_at(&errors, d))
                                continue;
                        r = add_revoked(b, x, d, errors.crl[i], f);
                        if (r < 0)
                                return r;
                        continue;
                }
                if (x) {
                        idx = chain_bundle_index(b, x);
                        subject = x509_subject_string(x);
                        if (!subject)
                                return -ENOMEM;
                }
                if (crl_error(errors.err[i])) {
                        _cleanup_(freep) char *what =
                                errors.crl[i] ? crl_describe(errors.crl[i]) : strdup("a CRL");

                        if (!what)
                                return -ENOMEM;
                        r = findings_add(f, FINDING_CRL_INVALID, SEVERITY_ERROR, b->path, idx,
                                         subject, NULL,
                                         "%s cannot be used to check this certificate: %s (OpenSSL error %d)",
                                         what, X509_verify_cert_error_string(errors.err[i]),
                                         errors.err[i]);
                        if (r < 0)
                                return r;
                        continue;
                }
                if (errors.invalid[i]) {
                        /* Not reported by policy (a trust anchor, say):
                         * OpenSSL's reason alone would mislead. */
                        _cleanup_(freep) char *bad = x509_subject_string(errors.invalid[i]);

                        if (!bad)
                                return -ENOMEM;
                        r = findings_add(
                                f, FINDING_PATH_INVALID, SEVERITY_ERROR, b->path, idx, subject,
                                "The certificate is malformed: ask its CA to issue it again (a trust anchor: replace it in the trust file).",
                                "path validation failed at depth %d: %s (OpenSSL error %d), because an extension of '%s' does not decode",
                                d, X509_verify_cert_error_string(errors.err[i]), errors.err[i],
                                bad);
                } else
                        r = findings_add(f, FINDING_PATH_INVALID, SEVERITY_ERROR, b->path, idx,
                                         subject, NULL,
                                         "path validation failed at depth %d: %s (OpenSSL error %d)",
                                         d, X509_verify_cert_error_string(errors.err[i]),
                                         errors.err[i]);
                if (r < 0)
                        return r;
        }

        r = check_max_depth(b, c, o->max_chain_depth, f);
        if (r < 0)
                return r;
        r = check_wildcards(b, c, f);
        if (r < 0)
                return r;
        return 0;
}
