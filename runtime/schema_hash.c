/*
 * The schema hash (see schema.h) and the tracker that keeps it current while a replay
 * applies revisions (see ops.h).
 *
 * Which tables can a revision change? strata_op_names_can_change (apply.c) says: the ones
 * its operations name and the tables whose foreign keys point at one of those. So, per
 * revision, the tracker subtracts the
 * digests of those tables as they are before it and adds them as they are after it. A
 * table in the set that the revision leaves alone is subtracted and added back
 * unchanged; whether a table is in the set depends only on its name and its foreign
 * keys, so a table that did not change is in both sets or in neither.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "ops.h"
#include "schema.h"

#define HASH_PREFIX "strata-schema-hash 2\n"

int strata_table_digest(const struct strata_table *t, unsigned char out[32])
{
    struct strata_buf b = { 0 };

    strata_table_canonical(&b, t);
    if (b.failed || b.data == NULL) {
        strata_buf_free(&b);
        return STRATA_ENOMEM;
    }
    strata_sha256(b.data, b.len, out);
    strata_buf_free(&b);
    return 0;
}

/* sum += d (sign 1) or sum -= d (sign -1), modulo 2^256, big-endian. */
static void add_digest(unsigned char sum[32], const unsigned char d[32], int sign)
{
    int carry = 0;

    for (int i = 31; i >= 0; i--) {
        int v = sign > 0 ? sum[i] + d[i] + carry : sum[i] - d[i] - carry;
        carry = sign > 0 ? v > 255 : v < 0;
        sum[i] = (unsigned char)(v & 255);
    }
}

int strata_schema_digest_sum(const struct strata_schema *s, unsigned char sum[32])
{
    unsigned char d[32];

    memset(sum, 0, 32);
    for (size_t i = 0; i < s->ntables; i++) {
        if (strata_table_digest(&s->tables[i], d) != 0)
            return STRATA_ENOMEM;
        add_digest(sum, d, 1);
    }
    return 0;
}

void strata_schema_hash_of_sum(const unsigned char sum[32], char out[65])
{
    unsigned char text[sizeof(HASH_PREFIX) - 1 + 32];

    memcpy(text, HASH_PREFIX, sizeof(HASH_PREFIX) - 1);
    memcpy(text + sizeof(HASH_PREFIX) - 1, sum, 32);
    strata_sha256_hex(text, sizeof(text), out);
}

int strata_schema_hash(const struct strata_schema *s, char out[65])
{
    unsigned char sum[32];

    if (strata_schema_digest_sum(s, sum) != 0)
        return STRATA_ENOMEM;
    strata_schema_hash_of_sum(sum, out);
    return 0;
}

/* ---- the tracker ---- */

int strata_hash_tracker_reset(struct strata_hash_tracker *h, const struct strata_schema *s)
{
    return strata_schema_digest_sum(s, h->sum);
}

/* Adds (sign 1) or subtracts (-1) the digests of the tables of `s` that `ops` can change. */
static int move(struct strata_hash_tracker *h, const struct strata_schema *s,
                const struct strata_oplist *ops, int sign)
{
    struct strata_op_names names;
    unsigned char d[32];
    int rc = 0;

    if (strata_op_names_init(&names, ops->ops, ops->nops) != 0)
        return STRATA_ENOMEM;
    for (size_t i = 0; i < s->ntables && names.count > 0 && rc == 0; i++) {
        if (!strata_op_names_can_change(&names, &s->tables[i]))
            continue;
        rc = strata_table_digest(&s->tables[i], d);
        if (rc == 0)
            add_digest(h->sum, d, sign);
    }
    strata_op_names_free(&names);
    return rc;
}

int strata_hash_tracker_before(struct strata_hash_tracker *h, const struct strata_schema *s,
                               const struct strata_oplist *ops)
{
    return move(h, s, ops, -1);
}

int strata_hash_tracker_after(struct strata_hash_tracker *h, const struct strata_schema *s,
                              const struct strata_oplist *ops)
{
    return move(h, s, ops, 1);
}

void strata_hash_tracker_hex(const struct strata_hash_tracker *h, char out[65])
{
    strata_schema_hash_of_sum(h->sum, out);
}
