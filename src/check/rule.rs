//! The stable rule names `check` reports (docs/check-rules.md describes each one).

// Layout of the metadata root and tables header (.dmeta and .dpdb).
pub const TABLES_STREAM: &str = "tables-stream";
pub const MINIMAL_DELTA_MARKER: &str = "minimal-delta-marker";
pub const HEAP_SIZE_FLAGS: &str = "heap-size-flags";
pub const SCHEMA_VERSION: &str = "schema-version";
// Heaps.
pub const HEAP_LEADING_ZERO: &str = "heap-leading-zero";
pub const HEAP_ALIGNMENT: &str = "heap-alignment";
pub const GUID_HEAP_PADDING: &str = "guid-heap-padding";
pub const HEAP_INDEX_RANGE: &str = "heap-index-range";
pub const USER_STRING_FORMAT: &str = "user-string-format";
// Module row.
pub const MODULE_ROW: &str = "module-row";
pub const MODULE_GENERATION: &str = "module-generation";
pub const MODULE_NAME: &str = "module-name";
pub const MODULE_MVID: &str = "module-mvid";
pub const ENC_ID_FRESH: &str = "enc-id-fresh";
pub const ENC_BASE_ID: &str = "enc-base-id";
// EncMap and EncLog.
pub const ENC_MAP_TOKEN: &str = "enc-map-token";
pub const ENC_MAP_SORTED: &str = "enc-map-sorted";
pub const ENC_MAP_DUPLICATE: &str = "enc-map-duplicate";
pub const ENC_MAP_COMPLETE: &str = "enc-map-complete";
pub const ROW_IDS_CONTIGUOUS: &str = "row-ids-contiguous";
pub const ENC_LOG_ENTRY: &str = "enc-log-entry";
pub const ENC_LOG_COMPLETE: &str = "enc-log-complete";
pub const ENC_LOG_ANNOUNCEMENT: &str = "enc-log-announcement";
pub const ENC_LOG_ORDER: &str = "enc-log-order";
// Added members and their owners.
pub const ADDED_MEMBERS_CONTIGUOUS: &str = "added-members-contiguous";
pub const MAP_ROW_UNIQUE: &str = "map-row-unique";
pub const SEMANTICS_TARGET: &str = "semantics-target";
pub const SEMANTICS_OWNER: &str = "semantics-owner";
// Rows that change existing definitions.
pub const ATTRIBUTE_ROW_OWNER: &str = "attribute-row-owner";
pub const FIELD_RVA_TARGET: &str = "field-rva-target";
// Rows, signatures, IL.
pub const LIST_COLUMN_ZERO: &str = "list-column-zero";
pub const ROW_TOKEN_RANGE: &str = "row-token-range";
pub const SIGNATURE_DECODES: &str = "signature-decodes";
pub const SIGNATURE_TOKEN_RANGE: &str = "signature-token-range";
pub const METHOD_RVA: &str = "method-rva";
pub const METHOD_BODY: &str = "method-body";
pub const IL_TOKEN_RANGE: &str = "il-token-range";
pub const LDSTR_OFFSET: &str = "ldstr-offset";
// Capabilities.
pub const CAPABILITY_MISSING: &str = "capability-missing";
// PDB delta.
pub const PDB_NO_ENC_LOG: &str = "pdb-no-enc-log";
pub const PDB_ENC_MAP: &str = "pdb-enc-map";
pub const PDB_ENC_MAP_COMPLETE: &str = "pdb-enc-map-complete";
pub const PDB_METHOD_MAP: &str = "pdb-method-map";
pub const PDB_DOCUMENT: &str = "pdb-document";
pub const PDB_SEQUENCE_POINTS: &str = "pdb-sequence-points";
pub const PDB_LOCAL_SIGNATURE: &str = "pdb-local-signature";
pub const PDB_ROW_COUNTS: &str = "pdb-row-counts";
pub const PDB_ROW_TOKEN_RANGE: &str = "pdb-row-token-range";

/// Every rule name, in the order docs/check-rules.md lists them.
pub const ALL: &[&str] = &[
    TABLES_STREAM,
    MINIMAL_DELTA_MARKER,
    HEAP_SIZE_FLAGS,
    SCHEMA_VERSION,
    HEAP_LEADING_ZERO,
    HEAP_ALIGNMENT,
    GUID_HEAP_PADDING,
    HEAP_INDEX_RANGE,
    USER_STRING_FORMAT,
    MODULE_ROW,
    MODULE_GENERATION,
    MODULE_NAME,
    MODULE_MVID,
    ENC_ID_FRESH,
    ENC_BASE_ID,
    ENC_MAP_TOKEN,
    ENC_MAP_SORTED,
    ENC_MAP_DUPLICATE,
    ENC_MAP_COMPLETE,
    ROW_IDS_CONTIGUOUS,
    ENC_LOG_ENTRY,
    ENC_LOG_COMPLETE,
    ENC_LOG_ANNOUNCEMENT,
    ENC_LOG_ORDER,
    ADDED_MEMBERS_CONTIGUOUS,
    MAP_ROW_UNIQUE,
    SEMANTICS_TARGET,
    SEMANTICS_OWNER,
    ATTRIBUTE_ROW_OWNER,
    FIELD_RVA_TARGET,
    LIST_COLUMN_ZERO,
    ROW_TOKEN_RANGE,
    SIGNATURE_DECODES,
    SIGNATURE_TOKEN_RANGE,
    METHOD_RVA,
    METHOD_BODY,
    IL_TOKEN_RANGE,
    LDSTR_OFFSET,
    CAPABILITY_MISSING,
    PDB_NO_ENC_LOG,
    PDB_ENC_MAP,
    PDB_ENC_MAP_COMPLETE,
    PDB_METHOD_MAP,
    PDB_DOCUMENT,
    PDB_SEQUENCE_POINTS,
    PDB_LOCAL_SIGNATURE,
    PDB_ROW_COUNTS,
    PDB_ROW_TOKEN_RANGE,
];
