/*
 * Roles of a document's objects (see vroles.h): an iterative walk from the
 * trailer that follows every reference once per new role, so loops end
 * and every object reachable from the trailer is found.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include "vroles.h"
#include "pdfint.h"

#include <stdio.h>
#include <string.h>

#define MAX_VISITS 8000000
#define MAX_STACK (16u << 20)
#define MAX_DEPTH 40
#define MAX_PAGES 200000
#define VR_TRAILER (1u << 31)

typedef struct item {
    int num;
    int page;
    uint32_t role;
} item;

typedef struct walker {
    fz_context *fz;
    pdf_document *doc;
    vroles *r;
    int *pageidx; /* per object number: the page it is, or VR_PAGE_NONE */
    item *stack;
    size_t nstack, capstack;
    long visits;
    int want_dangling;
} walker;

int seal__vroles_in_use(fz_context *fz, pdf_document *doc, int num)
{
    if (num <= 0 || num >= pdf_xref_len(fz, doc))
        return 0;
    pdf_xref_entry *e = pdf_get_xref_entry(fz, doc, num);
    return e && (e->type == 'n' || e->type == 'o');
}

static void cap(walker *w, const char *why)
{
    if (!w->r->capped)
        snprintf(w->r->why, sizeof(w->r->why), "%s", why);
    w->r->capped = 1;
}

static void push(walker *w, pdf_obj *ref, uint32_t role, int page)
{
    fz_context *fz = w->fz;
    int num = pdf_to_num(fz, ref);

    if (!role || num <= 0 || num >= w->r->n)
        return;
    /* A page is what the page tree makes it; other references to it
     * (destinations, actions, structure) do not change what it is. */
    if (!(role & VR_PAGETREE) && w->pageidx[num] != VR_PAGE_NONE)
        return;
    if (!seal__vroles_in_use(fz, w->doc, num)) {
        if (w->want_dangling)
            w->r->dangling[num] = 1;
        return;
    }
    if ((w->r->role[num] & role) == role && (w->r->page[num] == page || w->r->page[num] == VR_PAGE_MANY))
        return; /* nothing new to tell it */
    if (w->nstack >= MAX_STACK) {
        cap(w, "more references than the walk follows");
        return;
    }
    if (w->nstack == w->capstack) {
        size_t c = w->capstack ? w->capstack * 2 : 1024;
        w->stack = fz_realloc_array(fz, w->stack, c, item);
        w->capstack = c;
    }
    w->stack[w->nstack].num = num;
    w->stack[w->nstack].role = role;
    w->stack[w->nstack].page = page;
    w->nstack++;
}

static void scan_dict(walker *w, pdf_obj *obj, uint32_t bit, int page, int depth);

/* The references inside a direct value reached with `role`: a direct
 * dictionary is read with that role's keys (a catalog's direct /AcroForm
 * lists fields), an array passes the role to its elements. */
static void push_all(walker *w, pdf_obj *v, uint32_t role, int page, int depth)
{
    fz_context *fz = w->fz;
    if (pdf_is_indirect(fz, v)) {
        push(w, v, role, page);
        return;
    }
    if (depth > MAX_DEPTH) {
        cap(w, "values nested deeper than the walk follows");
        return;
    }
    if (pdf_is_array(fz, v)) {
        int n = pdf_array_len(fz, v);
        for (int i = 0; i < n; i++)
            push_all(w, pdf_array_get(fz, v, i), role, page, depth + 1);
    } else if (pdf_is_dict(fz, v)) {
        scan_dict(w, v, role, page, depth + 1);
    }
}

static int is(const char *a, const char *b)
{
    return !strcmp(a, b);
}

static int listed(const char *k, const char *const *keys)
{
    for (; *keys; keys++)
        if (!strcmp(k, *keys))
            return 1;
    return 0;
}

/* The catalog's and a page's keys that ISO 32000-2 defines. A writer's
 * private keys (a PieceInfo-like /Foo) draw nothing in any viewer: what
 * only they reach has no role. A standard key with behaviour (actions,
 * names, outlines, optional content …) makes what it reaches strict. */
static const char *const catalog_keys[] = {
    "Type", "Version", "Extensions", "Pages", "PageLabels", "Names", "Dests", "ViewerPreferences",
    "PageLayout", "PageMode", "Outlines", "Threads", "OpenAction", "AA", "URI", "AcroForm", "Metadata",
    "StructTreeRoot", "MarkInfo", "Lang", "SpiderInfo", "OutputIntents", "PieceInfo", "OCProperties",
    "Perms", "Legal", "Requirements", "Collection", "NeedsRendering", "DSS", "AF", "DPartRoot", NULL};
static const char *const page_keys[] = {
    "Type", "Parent", "LastModified", "Resources", "MediaBox", "CropBox", "BleedBox", "TrimBox",
    "ArtBox", "BoxColorInfo", "Contents", "Rotate", "Group", "Thumb", "B", "Dur", "Trans", "Annots",
    "AA", "Metadata", "PieceInfo", "StructParents", "ID", "PZ", "SeparationInfo", "Tabs",
    "TemplateInstantiated", "PresSteps", "UserUnit", "VP", "AF", "OutputIntents", "DPart", NULL};

/* The role of what `key` of an object with role `bit` refers to; 0: a
 * back edge, not followed. */
static uint32_t child_role(fz_context *fz, uint32_t bit, const char *k, pdf_obj *obj)
{
    switch (bit) {
    case VR_TRAILER:
        /* Other trailer keys (/ID, a writer's own) draw nothing. */
        return is(k, "Root") ? VR_CATALOG : is(k, "Info") ? VR_INFO : is(k, "Encrypt") ? VR_ENCRYPT : 0;
    case VR_CATALOG:
        return is(k, "Pages")            ? VR_PAGETREE
               : is(k, "AcroForm")       ? VR_ACROFORM
               : is(k, "DSS")            ? VR_DSS
               : is(k, "Metadata")       ? VR_METADATA
               : is(k, "StructTreeRoot") ? VR_STRUCT
               : is(k, "Extensions")     ? VR_EXT
               : is(k, "Perms")          ? VR_PERMS
               : is(k, "Names")          ? VR_NAMES
               : listed(k, catalog_keys) ? VR_OTHER
                                         : 0;
    case VR_NAMES: return is(k, "AP") ? VR_AP : VR_OTHER;
    case VR_PAGETREE:
        return is(k, "Parent") ? 0 : is(k, "Kids") ? VR_PAGETREE : VR_CONTENT;
    case VR_PAGE:
        return is(k, "Parent")     ? 0
               : is(k, "Annots")   ? VR_ANNOTS
               : is(k, "Metadata") ? VR_METADATA
               : is(k, "Contents") || is(k, "Resources") || is(k, "Group") || is(k, "Thumb") ? VR_CONTENT
               : listed(k, page_keys) ? VR_OTHER
                                      : 0;
    case VR_ANNOTS: return VR_ANNOT;
    case VR_FIELDS: return VR_FIELD;
    case VR_ANNOT:
    case VR_FIELD:
        if (is(k, "P") || (is(k, "Parent") && bit == VR_FIELD))
            return 0;
        if (is(k, "Parent") || is(k, "Kids") || is(k, "Opt"))
            return VR_FIELD;
        if (is(k, "AP") || is(k, "MK"))
            return VR_AP;
        if (is(k, "Popup") || is(k, "IRT"))
            return VR_ANNOT;
        if (is(k, "V"))
            return pdf_name_eq(fz, pdf_dict_get_inheritable(fz, obj, PDF_NAME(FT)), PDF_NAME(Sig)) ? VR_SIGDICT
                                                                                                : VR_FIELD;
        if (is(k, "Lock") || is(k, "SV"))
            return VR_SIGMETA;
        if (is(k, "DR"))
            return VR_DR;
        if (is(k, "A") || is(k, "AA") || is(k, "Dest"))
            return VR_OTHER;
        return bit;
    case VR_ACROFORM:
        return is(k, "Fields") ? VR_FIELDS : is(k, "DR") ? VR_DR : is(k, "CO") ? 0 : VR_OTHER;
    case VR_SIGDICT: return is(k, "Data") ? 0 : VR_SIGDICT;
    case VR_PERMS: return VR_SIGDICT;
    case VR_STRUCT:
        return is(k, "Pg") || is(k, "Obj") || is(k, "Stm") || is(k, "StmOwn") || is(k, "P") ? 0 : VR_STRUCT;
    default: return bit;
    }
}

static void scan_dict(walker *w, pdf_obj *obj, uint32_t bit, int page, int depth)
{
    fz_context *fz = w->fz;
    int n = pdf_dict_len(fz, obj);
    for (int i = 0; i < n; i++) {
        const char *k = pdf_to_name(fz, pdf_dict_get_key(fz, obj, i));
        pdf_obj *v = pdf_dict_get_val(fz, obj, i);
        uint32_t r = child_role(fz, bit, k, obj);
        /* A direct /Annots or /Fields array holds the annotations or
         * fields themselves. */
        if (r == VR_ANNOTS && !pdf_is_indirect(fz, v))
            r = VR_ANNOT;
        else if (r == VR_FIELDS && !pdf_is_indirect(fz, v))
            r = VR_FIELD;
        push_all(w, v, r, page, depth + 1);
    }
}

/* The references of obj, seen as an object with role `bit`. */
static void scan(walker *w, pdf_obj *obj, uint32_t bit, int page)
{
    fz_context *fz = w->fz;

    if (pdf_is_array(fz, obj)) {
        uint32_t r = bit == VR_ANNOTS ? VR_ANNOT : bit == VR_FIELDS ? VR_FIELD : bit;
        int n = pdf_array_len(fz, obj);
        for (int i = 0; i < n; i++)
            push_all(w, pdf_array_get(fz, obj, i), r, page, 1);
    } else if (pdf_is_dict(fz, obj)) {
        scan_dict(w, obj, bit, page, 0);
    }
}

static void visit(walker *w, item it)
{
    fz_context *fz = w->fz;
    vroles *r = w->r;
    int num = it.num;
    volatile uint32_t role = it.role;
    pdf_obj *volatile obj = NULL;

    fz_try(fz) {
        obj = pdf_load_object(fz, w->doc, num);
        /* A page-tree kid is a page or a node by its /Type. */
        if (role & VR_PAGETREE) {
            int is_page = w->pageidx[num] != VR_PAGE_NONE ||
                          pdf_name_eq(fz, pdf_dict_get(fz, obj, PDF_NAME(Type)), PDF_NAME(Page));
            if (is_page) {
                role = (role & ~VR_PAGETREE) | VR_PAGE;
                if (w->pageidx[num] != VR_PAGE_NONE)
                    it.page = w->pageidx[num];
            }
        }
        uint32_t add = role & ~r->role[num];
        int page = r->page[num] == VR_PAGE_NONE ? it.page
                   : it.page == VR_PAGE_NONE || it.page == r->page[num] ? r->page[num]
                                                                      : VR_PAGE_MANY;
        if (!add && page == r->page[num])
            break;
        uint32_t spread = page != r->page[num] ? (r->role[num] | add) : add;
        r->role[num] |= add;
        r->page[num] = page;
        for (int b = 0; b < 32; b++)
            if (spread & (1u << b))
                scan(w, obj, 1u << b, page);
    }
    fz_always(fz)
        pdf_drop_obj(fz, obj);
    fz_catch(fz) {
        if (fz_caught(fz) == FZ_ERROR_MEMORY)
            fz_rethrow(fz);
        /* An unreadable object refers to nothing anyone can see. */
        r->role[num] |= role;
    }
}

int seal__vroles_walk(fz_context *fz, pdf_document *doc, int nobj, int want_dangling, vroles *out)
{
    walker w;
    volatile int n = nobj;
    int *volatile nums = NULL;

    memset(out, 0, sizeof(*out));
    memset(&w, 0, sizeof(w));
    if (n < pdf_xref_len(fz, doc))
        n = pdf_xref_len(fz, doc);
    out->n = n;
    w.fz = fz;
    w.doc = doc;
    w.r = out;
    w.want_dangling = want_dangling;
    fz_try(fz) {
        out->role = fz_calloc(fz, (size_t)n + 1, sizeof(uint32_t));
        out->page = fz_malloc_array(fz, (size_t)n + 1, int);
        w.pageidx = fz_malloc_array(fz, (size_t)n + 1, int);
        for (int i = 0; i <= n; i++)
            out->page[i] = w.pageidx[i] = VR_PAGE_NONE;
        if (want_dangling)
            out->dangling = fz_calloc(fz, (size_t)n + 1, 1);
        int pages = pdf_count_pages(fz, doc);
        if (pages > MAX_PAGES) {
            cap(&w, "more pages than the walk follows");
            pages = MAX_PAGES;
        }
        int count = 0;
        nums = seal__pdf_page_nums(fz, doc, &count);
        for (int p = 0; p < pages; p++) {
            int num = p < count && nums ? nums[p] : pdf_to_num(fz, pdf_lookup_page_obj(fz, doc, p));
            if (num > 0 && num < n)
                w.pageidx[num] = w.pageidx[num] == VR_PAGE_NONE ? p : VR_PAGE_MANY;
        }
        scan(&w, pdf_trailer(fz, doc), VR_TRAILER, VR_PAGE_NONE);
        while (w.nstack > 0) {
            item it = w.stack[--w.nstack];
            if (++w.visits > MAX_VISITS) {
                cap(&w, "more objects than the walk follows");
                break;
            }
            visit(&w, it);
        }
    }
    fz_always(fz) {
        fz_free(fz, nums);
        fz_free(fz, w.stack);
        fz_free(fz, w.pageidx);
    }
    fz_catch(fz) {
        seal__vroles_free(fz, out);
        fz_rethrow(fz);
    }
    return out->capped ? -1 : 0;
}

void seal__vroles_free(fz_context *fz, vroles *r)
{
    if (!r)
        return;
    fz_free(fz, r->role);
    fz_free(fz, r->page);
    fz_free(fz, r->dangling);
    r->role = NULL;
    r->page = NULL;
    r->dangling = NULL;
    r->n = 0;
}

const char *seal__vroles_name(uint32_t bits)
{
    static const struct {
        uint32_t bit;
        const char *name;
    } order[] = {
        {VR_CATALOG, "document catalog"}, {VR_PAGETREE, "page tree"},    {VR_PAGE, "page"},
        {VR_CONTENT, "page content"},     {VR_ENCRYPT, "encryption"},    {VR_PERMS, "permissions"},
        {VR_SIGDICT, "signature"},        {VR_SIGMETA, "field lock"},    {VR_OTHER, "document object"},
        {VR_NAMES, "name dictionary"},    {VR_ACROFORM, "form"},            {VR_FIELDS, "form field list"}, {VR_FIELD, "form field"},
        {VR_ANNOTS, "annotation list"},   {VR_ANNOT, "annotation"},      {VR_AP, "appearance"},
        {VR_DR, "form resources"},        {VR_STRUCT, "structure tree"}, {VR_DSS, "DSS"},
        {VR_METADATA, "metadata"},        {VR_INFO, "document information"}, {VR_EXT, "extensions"},
    };
    for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
        if (bits & order[i].bit)
            return order[i].name;
    return "unreferenced object";
}
