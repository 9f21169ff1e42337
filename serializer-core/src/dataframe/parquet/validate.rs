//! Checks the sizes a parquet file declares before polars' reader allocates them.
//!
//! polars reserves what a file declares: a page's value count (a negative one becomes 2^61
//! bytes), a row group's row count, a page's uncompressed size. Here, with the same metadata
//! and page-header parsers polars uses, every column chunk lies inside the file, every page
//! header parses within its chunk, every page lies inside its chunk, every declared
//! uncompressed size is at most what its codec can expand the page to, value counts add up to
//! the column chunk's and to the row group's rows, and the declared values and pages fit in [`ParquetOptions::with_max_decoded_bytes`].
//!
//! [`ParquetOptions::with_max_decoded_bytes`]: crate::dataframe::ParquetOptions::with_max_decoded_bytes

use std::io::Cursor;

use polars_parquet::parquet::compression::Compression;
use polars_parquet::parquet::metadata::{ColumnChunkMetadata, FileMetadata};
use polars_parquet::parquet::schema::types::PhysicalType;
use polars_parquet_format::thrift::protocol::TCompactInputProtocol;
use polars_parquet_format::{PageHeader, PageType};

use crate::dataframe::bounds::{
    GZIP_MAX_RATIO, LZ4_MAX_RATIO, SLACK, SNAPPY_MAX_RATIO, ZSTD_MAX_RATIO,
};
use crate::error::ErrorKind;

/// Brotli can describe a long repetition in a few bytes; its pages are held to the bound on
/// decoded bytes instead.
const BROTLI_MAX_RATIO: u64 = u64::MAX;

/// Checks `metadata`, read from `bytes`, the file's layout, and the page headers of every
/// column chunk.
pub(super) fn check(
    metadata: &FileMetadata,
    bytes: &[u8],
    max_decoded_bytes: u64,
) -> Result<(), ErrorKind> {
    check_layout(metadata, bytes)?;
    let mut decoded = 0u64;
    let mut declared_rows = 0u64;
    for (group, row_group) in metadata.row_groups.iter().enumerate() {
        let rows = row_group.num_rows() as u64;
        for column in row_group.parquet_columns() {
            let name = column.descriptor().path_in_schema.join(".");
            let values = check_column(column, bytes, max_decoded_bytes)
                .map_err(|reason| ErrorKind::malformed(format!("column `{name}`: {reason}")))?;
            let flat = column.descriptor().descriptor.max_rep_level == 0;
            if (flat && values.data != rows) || values.data < rows {
                return Err(ErrorKind::malformed(format!(
                    "column `{name}` holds {} values in row group {group} of {rows} rows",
                    values.data
                )));
            }
            let width = width(column.physical_type());
            decoded = decoded
                .saturating_add(values.data.saturating_mul(width))
                .saturating_add(values.dictionary.saturating_mul(width))
                .saturating_add(values.bytes);
        }
        declared_rows = declared_rows.saturating_add(rows);
    }
    if declared_rows != metadata.num_rows as u64 {
        return Err(ErrorKind::malformed(format!(
            "the file declares {} rows, its row groups {declared_rows}",
            metadata.num_rows
        )));
    }
    if decoded > max_decoded_bytes {
        return Err(ErrorKind::limit_exceeded(format!(
                "the file declares about {decoded} bytes of values, more than the bound of {max_decoded_bytes} (ParquetOptions::with_max_decoded_bytes)"
            )));
    }
    Ok(())
}

/// A parquet file is `PAR1`, its column chunks and their indexes, then its footer, whose offsets
/// count from the file's first byte. Bytes before `PAR1` or between the last chunk or index and
/// the footer are another file's or junk: the footer's offsets would read the wrong bytes (two
/// files one after the other read as the first one's pages), so they are refused.
fn check_layout(metadata: &FileMetadata, bytes: &[u8]) -> Result<(), ErrorKind> {
    const MAGIC: &[u8] = b"PAR1";
    if !bytes.starts_with(MAGIC) {
        return Err(ErrorKind::malformed(
            "not a parquet file: it does not start with `PAR1`",
        ));
    }
    if bytes.len() < 12 {
        return Err(ErrorKind::malformed(
            "not a parquet file: it is shorter than its two magic numbers and footer length",
        ));
    }
    // At least 12 bytes: the footer's length is there, and the default is never taken.
    let footer_len = bytes
        .len()
        .checked_sub(8)
        .and_then(|at| bytes.get(at..at + 4))
        .and_then(|len| len.try_into().ok())
        .map(u32::from_le_bytes)
        .unwrap_or_default();
    let footer_start = (bytes.len() as u64).saturating_sub(8 + u64::from(footer_len));
    let mut end = MAGIC.len() as u64;
    for column in metadata
        .row_groups
        .iter()
        .flat_map(|group| group.parquet_columns())
    {
        end = end.max(column.byte_range().end);
        let indexes = [
            (column.column_index_offset(), column.column_index_length()),
            (column.offset_index_offset(), column.offset_index_length()),
            (column.bloom_filter_offset(), column.bloom_filter_length()),
        ];
        for (offset, length) in indexes {
            if let (Some(offset), Some(length)) = (offset, length) {
                let region_end = i128::from(offset) + i128::from(length);
                end = end.max(u64::try_from(region_end).unwrap_or(u64::MAX));
            }
        }
    }
    if end != footer_start {
        return Err(ErrorKind::malformed(format!(
            "its footer starts at byte {footer_start}, but its column chunks and indexes end at \
             byte {end}: the input is not one parquet file"
        )));
    }
    Ok(())
}

/// The bytes a decoded value takes at least: a byte array becomes a 16-byte view.
fn width(physical: PhysicalType) -> u64 {
    match physical {
        PhysicalType::Boolean => 1,
        PhysicalType::Int32 | PhysicalType::Float => 4,
        PhysicalType::Int64 | PhysicalType::Double | PhysicalType::Int96 => 8,
        PhysicalType::ByteArray => 16,
        PhysicalType::FixedLenByteArray(len) => (len as u64).max(1),
    }
}

fn max_ratio(compression: Compression) -> u64 {
    match compression {
        Compression::Uncompressed => 1,
        Compression::Snappy => SNAPPY_MAX_RATIO,
        Compression::Gzip => GZIP_MAX_RATIO,
        Compression::Lz4 | Compression::Lz4Raw | Compression::Lzo => LZ4_MAX_RATIO,
        Compression::Zstd => ZSTD_MAX_RATIO,
        Compression::Brotli => BROTLI_MAX_RATIO,
    }
}

/// Values a column chunk declares: in its data pages and in its dictionary.
struct Values {
    data: u64,
    dictionary: u64,
    /// The pages' uncompressed bytes.
    bytes: u64,
}

fn count(value: i32, what: &str) -> Result<u64, String> {
    u64::try_from(value).map_err(|_| format!("a page declares a negative {what} ({value})"))
}

/// Checks what a page carries to prove its bytes: the page CRC a writer may set (CRC-32 of the
/// page as stored, after its header), and a gzip page's own trailer (CRC-32 and length of the
/// uncompressed bytes), which polars' reader does not check: a damaged page would read as
/// other values.
fn check_checksums(
    header: &PageHeader,
    body: &[u8],
    compression: Compression,
) -> Result<(), String> {
    if let Some(crc) = header.crc {
        // The format stores the unsigned CRC in a signed 32-bit field.
        let stored = crc as u32;
        let computed = crc32fast::hash(body);
        if stored != computed {
            return Err(format!(
                "a page's CRC is {stored:08x}, its bytes' {computed:08x}: the page is damaged"
            ));
        }
    }
    if compression != Compression::Gzip {
        return Ok(());
    }
    // A v2 data page keeps its levels uncompressed in front of the compressed values.
    let compressed = match &header.data_page_header_v2 {
        Some(v2) if header.type_ == PageType::DATA_PAGE_V2 => {
            if v2.is_compressed == Some(false) {
                return Ok(());
            }
            let levels = i64::from(v2.repetition_levels_byte_length)
                + i64::from(v2.definition_levels_byte_length);
            usize::try_from(levels)
                .ok()
                .and_then(|levels| body.get(levels..))
                .ok_or("a v2 data page's levels run past the page")?
        }
        _ => body,
    };
    let mut decoder = flate2::bufread::MultiGzDecoder::new(compressed);
    std::io::copy(&mut decoder, &mut std::io::sink())
        .map(drop)
        .map_err(|err| format!("a gzip page does not check: {err}"))
}

/// Walks the pages of `column` the way polars' page reader does: a dictionary page first if
/// there is one, then data pages until their values reach the chunk's.
fn check_column(
    column: &ColumnChunkMetadata,
    bytes: &[u8],
    max_decoded_bytes: u64,
) -> Result<Values, String> {
    let range = column.byte_range();
    let chunk = usize::try_from(range.start)
        .ok()
        .zip(usize::try_from(range.end).ok())
        .and_then(|(start, end)| bytes.get(start..end))
        .ok_or_else(|| {
            format!(
                "its pages ({}..{}) lie outside the file of {} bytes",
                range.start,
                range.end,
                bytes.len()
            )
        })?;
    let total = u64::try_from(column.num_values())
        .map_err(|_| format!("it declares {} values", column.num_values()))?;
    let ratio = max_ratio(column.compression());

    let mut values = Values {
        data: 0,
        dictionary: 0,
        bytes: 0,
    };
    let mut position = 0usize;
    let mut first = true;
    while values.data < total || first {
        // Past the chunk's end, nothing is left: the empty rest is refused just below.
        let rest = chunk.get(position..).unwrap_or_default();
        if rest.is_empty() {
            if first {
                break;
            }
            return Err(format!(
                "its pages end after {} of {total} values",
                values.data
            ));
        }
        let mut cursor = Cursor::new(rest);
        let header = PageHeader::read_from_in_protocol(&mut TCompactInputProtocol::new(
            &mut cursor,
            rest.len(),
        ))
        .map_err(|err| format!("a page header does not parse: {err}"))?;
        let header_len = usize::try_from(cursor.position()).unwrap_or(usize::MAX);
        let compressed = count(header.compressed_page_size, "compressed size")?;
        let uncompressed = count(header.uncompressed_page_size, "uncompressed size")?;
        let most = ratio.saturating_mul(compressed).saturating_add(SLACK);
        if uncompressed > most.min(max_decoded_bytes) {
            return Err(format!(
                "a page of {compressed} bytes declares {uncompressed} bytes uncompressed, more than its codec can produce or the bound allows"
            ));
        }
        values.bytes = values.bytes.saturating_add(uncompressed);
        let body_start = position.saturating_add(header_len);
        position = position
            .checked_add(header_len)
            .and_then(|start| start.checked_add(usize::try_from(compressed).ok()?))
            .filter(|&end| end <= chunk.len())
            .ok_or_else(|| format!("a page of {compressed} bytes runs past its column chunk"))?;
        // In bounds: `position` was just checked against the chunk.
        let body = chunk.get(body_start..position).unwrap_or_default();
        check_checksums(&header, body, column.compression())?;

        match header.type_ {
            PageType::DICTIONARY_PAGE if first => {
                let dictionary = header
                    .dictionary_page_header
                    .ok_or("a dictionary page has no dictionary header")?;
                values.dictionary = count(dictionary.num_values, "dictionary size")?;
            }
            PageType::DATA_PAGE | PageType::DATA_PAGE_V2 => {
                let declared = match (header.data_page_header, header.data_page_header_v2) {
                    (Some(v1), _) if header.type_ == PageType::DATA_PAGE => v1.num_values,
                    (_, Some(v2)) if header.type_ == PageType::DATA_PAGE_V2 => v2.num_values,
                    _ => return Err("a data page has no data page header".into()),
                };
                values.data = values
                    .data
                    .saturating_add(count(declared, "number of values")?);
            }
            PageType::DICTIONARY_PAGE => return Err("a dictionary page follows a data page".into()),
            PageType::INDEX_PAGE => {}
            other => return Err(format!("a page has the unknown type {}", other.0)),
        }
        first = false;
    }
    if values.data != total {
        return Err(format!(
            "its pages hold {} values where the chunk declares {total}",
            values.data
        ));
    }
    Ok(values)
}
