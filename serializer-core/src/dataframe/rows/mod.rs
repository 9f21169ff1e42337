//! Typed rows: a `Vec` of structs stored as a table.
//!
//! `#[derive(Row)]` on a struct writes one column per field ([`ColumnType`] gives each field
//! type its column), and reads a frame back, checking each column's dtype and each value:
//! a missing column, a column of another dtype, a null in a field that is not an `Option` or
//! an integer outside its field's range is an error naming the column and the row. Extra
//! columns are ignored. [`RowsSerializer`] writes the table with a [`DataFrameSerializer`]
//! and reads it through the same checked readers, so every file type and option of
//! `dataframe(...)` applies to rows too.

mod cells;

use polars::frame::DataFrame;
use polars::prelude::{DataType, IntoColumn, PlSmallStr, Series};

pub use self::cells::CellError;
use super::DataFrameSerializer;
use crate::error::{Error, ErrorKind, Operation};
use crate::serializer::Serializer;

/// A struct stored as one row of a table. Derive it: `#[derive(Row)]`, which respects
/// `#[serde(rename = "...")]`, `#[serde(rename_all = "...")]`, `#[serde(skip)]` (a skipped
/// field is not stored, and reads as its `Default`) and `#[serde(deny_unknown_fields)]` (a
/// column that is no field is an error; by default extra columns are ignored).
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a row type",
    label = "no `#[derive(Row)]`",
    note = "`#[serializer(rows(...))]` stores a `Vec<T>` where `T` derives `Row`: `#[derive(Row)] struct Reading {{ ... }}`"
)]
pub trait Row: Sized {
    /// The first stored field that is a list or a struct (what a CSV file cannot hold), as
    /// a message naming it; `None` for flat rows.
    const NESTED_FIELD: Option<&'static str> = None;

    /// Each stored field's column name and dtype, in order.
    fn columns() -> Vec<(&'static str, DataType)> {
        Vec::new()
    }

    /// The table's columns, one per stored field.
    fn to_frame(rows: &[Self]) -> Result<DataFrame, ErrorKind>;

    /// The rows of `frame`, each column checked against its field.
    fn from_frame(frame: &DataFrame) -> Result<Vec<Self>, ErrorKind> {
        Self::from_frame_at(frame, 0)
    }

    /// As [`from_frame`](Row::from_frame), for a slice of a table that starts at row `first`:
    /// errors name the table's rows.
    fn from_frame_at(frame: &DataFrame, first: usize) -> Result<Vec<Self>, ErrorKind>;
}

/// A type a field of a [`Row`] can have: it is stored as one column. Implemented for `bool`,
/// every integer, `f32`, `f64`, `String`, chrono's `NaiveDate`, `NaiveDateTime`,
/// `DateTime<Utc>` and `TimeDelta`, `Option<T>` (nulls), `Vec<T>` (a list column), and by
/// `#[derive(Row)]` for structs (a struct column) and fieldless enums (the variants' names).
#[diagnostic::on_unimplemented(
    message = "a field of type `{Self}` cannot be stored as a column",
    label = "not a column type",
    note = "row fields are `bool`, integers, `f32`, `f64`, `String`, chrono dates, date-times and durations, `Option<T>`, `Vec<T>`, or a struct or fieldless enum deriving `Row`"
)]
pub trait ColumnType: Sized {
    /// Whether the column is a list or a struct.
    const NESTED: bool = false;

    /// The column's polars dtype.
    fn dtype() -> DataType;

    /// A column of these values; `None` is a null.
    fn to_series(name: PlSmallStr, values: &[Option<&Self>]) -> Result<Series, CellError>;

    /// The values of `series`, `None` for each null; an error for a dtype or a value the type
    /// cannot hold exactly.
    fn from_series(series: &Series) -> Result<Vec<Option<Self>>, CellError>;
}

/// A value holding rows: `Vec<T>` of a [`Row`] type, or a newtype over one deriving
/// `ResultSerializer` with `#[serializer(rows(...))]`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a `Vec` of rows that `#[serializer(rows(...))]` can store",
    label = "not `Vec<T>` with `T: Row`",
    note = "`#[serializer(rows(...))]` goes on a newtype over `Vec<T>` where `T` derives `Row`, such as `struct Readings(Vec<Reading>);`"
)]
pub trait RowsValue: Sized {
    /// The row type.
    type Row: Row;

    /// The rows to write.
    fn as_rows(&self) -> &[Self::Row];

    /// The value holding rows that were read.
    fn from_rows(rows: Vec<Self::Row>) -> Self;
}

impl<T: Row> RowsValue for Vec<T> {
    type Row = T;

    fn as_rows(&self) -> &[T] {
        self
    }

    fn from_rows(rows: Vec<T>) -> Self {
        rows
    }
}

/// Serializes a `Vec` of [`Row`]s as a table, with the file type and options of a
/// [`DataFrameSerializer`].
///
/// ```
/// use serializer_core::dataframe::{DataFrameSerializer, FileType, RowsSerializer};
/// use serializer_core::Serializer;
/// # use serializer_core::dataframe::Row;
/// # use serializer_core::ErrorKind;
/// # use polars::prelude::*;
/// # #[derive(Debug, PartialEq)]
/// # struct Reading { sensor: u16 }
/// # impl Row for Reading {
/// #     fn to_frame(rows: &[Self]) -> Result<DataFrame, ErrorKind> {
/// #         let sensor: Vec<u16> = rows.iter().map(|row| row.sensor).collect();
/// #         Ok(df!("sensor" => sensor).unwrap())
/// #     }
/// #     fn from_frame_at(frame: &DataFrame, _: usize) -> Result<Vec<Self>, ErrorKind> {
/// #         let sensor = frame.column("sensor").unwrap().u16().unwrap();
/// #         Ok(sensor.into_no_null_iter().map(|sensor| Reading { sensor }).collect())
/// #     }
/// # }
/// let rows = RowsSerializer::new(DataFrameSerializer::new(FileType::Parquet));
/// let readings = vec![Reading { sensor: 7 }, Reading { sensor: 9 }];
/// let bytes = rows.serialize(&readings).unwrap();
/// assert_eq!(Serializer::<Vec<Reading>>::deserialize(&rows, &bytes).unwrap(), readings);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct RowsSerializer {
    frame: DataFrameSerializer,
}

impl RowsSerializer {
    /// Rows written and read as `frame` writes and reads tables.
    pub fn new(frame: DataFrameSerializer) -> Self {
        RowsSerializer { frame }
    }

    /// The table serializer.
    pub fn frame(&self) -> &DataFrameSerializer {
        &self.frame
    }

    /// The table reader for rows of `T`: a CSV file's text, integer, float and boolean columns
    /// are read as the fields' dtypes, not inferred (a `String` field of digits stays text, a
    /// `u64` past `i64::MAX` stays exact, a column of nulls or of no rows keeps its dtype);
    /// dates and date-times are read from their text. JSON and NDJSON read those dtypes too,
    /// inside lists and structs, where inference from the first rows would pick others (`f32`
    /// as `f64`, a `u64` past `i64::MAX`, a column null in its first rows). Every other file
    /// type stores its dtypes.
    fn reader<T: Row>(&self) -> std::borrow::Cow<'_, DataFrameSerializer> {
        use super::FormatOptions;
        let plain = |dtype: &DataType| {
            dtype == &DataType::String
                || dtype == &DataType::Boolean
                || dtype.is_primitive_numeric()
        };
        let declared = || {
            T::columns()
                .into_iter()
                .filter(|(_, dtype)| json_reads(dtype))
                .map(|(name, dtype)| (name.to_string(), dtype))
                .collect::<Vec<_>>()
        };
        let options = match &self.frame.options {
            FormatOptions::Csv(csv) => {
                let mut csv = csv.clone();
                for (name, dtype) in T::columns() {
                    if plain(&dtype) {
                        csv = csv.with_schema_override(name, dtype);
                    }
                }
                return std::borrow::Cow::Owned(DataFrameSerializer::csv(csv));
            }
            // Every column declared: the whole schema, and no inference (which panics on a
            // `u64` past `i64::MAX`); else the declared ones replace what is inferred.
            FormatOptions::Json(json) if json.schema.is_none() => {
                let mut json = json.clone();
                let (schema, overwrite) = typed(declared(), T::columns().len());
                (json.schema, json.overwrite) = (schema, overwrite);
                FormatOptions::Json(json)
            }
            FormatOptions::NdJson(ndjson) if ndjson.schema.is_none() => {
                let mut ndjson = ndjson.clone();
                // polars' line reader has no buffer for 8- and 16-bit integers at the top: they
                // are read as 32-bit ones, which the rows narrow with a range check.
                let widened = declared()
                    .into_iter()
                    .map(|(name, dtype)| {
                        let dtype = match dtype {
                            DataType::Int8 | DataType::Int16 => DataType::Int32,
                            DataType::UInt8 | DataType::UInt16 => DataType::UInt32,
                            dtype => dtype,
                        };
                        (name, dtype)
                    })
                    .collect();
                let (schema, overwrite) = typed(widened, T::columns().len());
                (ndjson.schema, ndjson.overwrite) = (schema, overwrite);
                FormatOptions::NdJson(ndjson)
            }
            _ => return std::borrow::Cow::Borrowed(&self.frame),
        };
        let mut frame = self.frame.clone();
        frame.options = options;
        std::borrow::Cow::Owned(frame)
    }

    /// The table of `bytes`, read for rows of `T`.
    fn table<T: Row>(&self, bytes: &[u8]) -> Result<DataFrame, Error> {
        self.reader::<T>().deserialize(bytes).map_err(|err| {
            let kind = match err.into_kind() {
                ErrorKind::Polars(polars) => self
                    .csv_cell::<T>(bytes)
                    .map_or(ErrorKind::Polars(polars), ErrorKind::mismatch),
                kind => kind,
            };
            self.error(Operation::Deserialize, kind)
        })
    }

    /// Where a CSV file's cell does not parse as its field's dtype, in this crate's words
    /// (polars' own message names neither the row nor a Rust remedy): the file read again with
    /// those columns as text, each cast to its dtype, the first cell that does not cast named.
    fn csv_cell<T: Row>(&self, bytes: &[u8]) -> Option<String> {
        let super::FormatOptions::Csv(csv) = &self.frame.options else {
            return None;
        };
        let typed: Vec<(String, DataType)> = T::columns()
            .into_iter()
            .filter(|(_, dtype)| dtype == &DataType::Boolean || dtype.is_primitive_numeric())
            .map(|(name, dtype)| (name.to_string(), dtype))
            .collect();
        let mut text = csv.clone();
        for (name, _) in &typed {
            text = text.with_schema_override(name.clone(), DataType::String);
        }
        let frame: DataFrame = DataFrameSerializer::csv(text).deserialize(bytes).ok()?;
        for (name, dtype) in typed {
            let column = frame.column(&name).ok()?.as_materialized_series().clone();
            let cells = column.str().ok()?;
            let bad = if dtype == DataType::Boolean {
                // polars reads `true` and `false`, in any case.
                (0..column.len()).find_map(|row| {
                    let cell = cells.get(row)?;
                    let word = cell.to_ascii_lowercase();
                    (word != "true" && word != "false").then_some((row, cell))
                })
            } else {
                let cast = column.cast(&dtype).ok()?;
                (0..column.len()).find_map(|row| {
                    let cell = cells.get(row)?;
                    cast.get(row)
                        .is_ok_and(|value| value.is_null())
                        .then_some((row, cell))
                })
            };
            if let Some((row, cell)) = bad {
                return Some(format!(
                    "column `{name}`, row {row}: `{cell}` is not a {dtype} (the field's type)"
                ));
            }
        }
        None
    }

    fn error(&self, operation: Operation, kind: ErrorKind) -> Error {
        Error::new(rows_name(self), operation, kind)
    }
}

fn rows_name(rows: &RowsSerializer) -> &'static str {
    use super::FileType;
    match rows.frame.file_type() {
        FileType::Csv => "rows (csv)",
        FileType::Parquet => "rows (parquet)",
        FileType::Json => "rows (json)",
        FileType::NdJson => "rows (ndjson)",
        FileType::Ipc => "rows (ipc)",
        FileType::Avro => "rows (avro)",
    }
}

impl<V: RowsValue> Serializer<V> for RowsSerializer {
    fn serialize(&self, value: &V) -> Result<Vec<u8>, Error> {
        let mut bytes = Vec::new();
        self.serialize_into(value, &mut bytes)?;
        Ok(bytes)
    }

    fn deserialize(&self, bytes: &[u8]) -> Result<V, Error> {
        let frame = self.table::<V::Row>(bytes)?;
        V::Row::from_frame(&frame)
            .map(V::from_rows)
            .map_err(|kind| self.error(Operation::Deserialize, kind))
    }

    fn serialize_into<W: std::io::Write>(&self, value: &V, writer: W) -> Result<(), Error> {
        let frame = V::Row::to_frame(value.as_rows())
            .map_err(|kind| self.error(Operation::Serialize, kind))?;
        self.frame
            .serialize_into(&frame, writer)
            .map_err(|err| self.error(Operation::Serialize, err.into_kind()))
    }

    fn name(&self) -> &'static str {
        rows_name(self)
    }

    /// The table's identity: a result written as rows reads as a DataFrame of the same
    /// options, and back.
    fn format_identity(&self) -> String {
        Serializer::<DataFrame>::format_identity(&self.frame)
    }

    fn self_describing(&self) -> bool {
        true
    }
}

/// The JSON reader's schema and overwrite from the `declared` columns of `all`: the whole
/// schema when every column is declared, else an overwrite of the inferred one.
type Columns = Option<Vec<(String, DataType)>>;

fn typed(declared: Vec<(String, DataType)>, all: usize) -> (Columns, Columns) {
    if declared.len() == all {
        (Some(declared), None)
    } else {
        (None, Some(declared))
    }
}

/// Whether polars' JSON reader reads `dtype` from what its writer wrote: numbers, text and
/// booleans, in lists and structs; dates and date-times are read from their text by the rows.
fn json_reads(dtype: &DataType) -> bool {
    match dtype {
        DataType::List(inner) => json_reads(inner),
        DataType::Struct(fields) => fields.iter().all(|field| json_reads(field.dtype())),
        dtype => {
            dtype == &DataType::String
                || dtype == &DataType::Boolean
                || dtype.is_primitive_numeric()
        }
    }
}

/// Rows in a batch when streaming: a parquet row group, an IPC record batch.
const BATCH_ROWS: usize = 65_536;

impl RowsSerializer {
    /// Writes rows as they come, a batch at a time (a parquet row group or more, an IPC record
    /// batch, CSV or NDJSON lines), so that memory holds one batch of rows and its columns, not
    /// the whole result. JSON (one document) and avro, which polars writes only whole, gather
    /// the batches' columns and write them at the end. Returns the number of rows written.
    ///
    /// ```
    /// # use serializer_core::dataframe::{DataFrameSerializer, FileType, RowsSerializer, Row};
    /// # use serializer_core::ErrorKind;
    /// # use polars::prelude::*;
    /// # #[derive(Debug, PartialEq)]
    /// # struct Reading { sensor: u16 }
    /// # impl Row for Reading {
    /// #     fn to_frame(rows: &[Self]) -> Result<DataFrame, ErrorKind> {
    /// #         let sensor: Vec<u16> = rows.iter().map(|row| row.sensor).collect();
    /// #         Ok(df!("sensor" => sensor).unwrap())
    /// #     }
    /// #     fn from_frame_at(frame: &DataFrame, _: usize) -> Result<Vec<Self>, ErrorKind> {
    /// #         let sensor = frame.column("sensor").unwrap().u16().unwrap();
    /// #         Ok(sensor.into_no_null_iter().map(|sensor| Reading { sensor }).collect())
    /// #     }
    /// # }
    /// let rows = RowsSerializer::new(DataFrameSerializer::new(FileType::Parquet));
    /// let mut file = Vec::new();
    /// let readings = (0..200_000_u32).map(|i| Reading { sensor: (i % 7) as u16 });
    /// let written = rows.write_rows(readings, &mut file)?;
    /// assert_eq!(written, 200_000);
    /// let mut count = 0;
    /// for reading in rows.read_rows::<Reading, _>(file.as_slice())? {
    ///     assert!(reading?.sensor < 7);
    ///     count += 1;
    /// }
    /// assert_eq!(count, 200_000);
    /// # Ok::<(), serializer_core::Error>(())
    /// ```
    pub fn write_rows<T: Row, W: std::io::Write>(
        &self,
        rows: impl IntoIterator<Item = T>,
        writer: W,
    ) -> Result<u64, Error> {
        let fail = |kind| self.error(Operation::Serialize, kind);
        let mut rows = rows.into_iter();
        let mut batch: Vec<T> = rows.by_ref().take(BATCH_ROWS).collect();
        // The first batch, even empty, gives the table its columns.
        let frame = T::to_frame(&batch).map_err(fail)?;
        let mut table = self
            .frame
            .table_writer(frame.schema(), writer)
            .map_err(fail)?;
        table.write(&frame).map_err(fail)?;
        let mut written = batch.len() as u64;
        loop {
            batch.clear();
            batch.extend(rows.by_ref().take(BATCH_ROWS));
            if batch.is_empty() {
                break;
            }
            let frame = T::to_frame(&batch).map_err(fail)?;
            table.write(&frame).map_err(fail)?;
            written += batch.len() as u64;
        }
        table.finish().map_err(fail)?;
        Ok(written)
    }

    /// Reads rows a batch at a time: the file is read and checked whole into its columns
    /// (which take far less memory than the rows for most tables), and the rows are made from
    /// them a batch of 65,536 at a time as the iterator is drawn. A batch whose columns do not
    /// fit `T` yields its error, naming the table's row, and ends the iteration.
    pub fn read_rows<T: Row, R: std::io::Read>(
        &self,
        mut reader: R,
    ) -> Result<RowReader<T>, Error> {
        let mut bytes = Vec::new();
        reader
            .read_to_end(&mut bytes)
            .map_err(|err| self.error(Operation::Deserialize, ErrorKind::Io(err)))?;
        let frame = self.table::<T>(&bytes)?;
        drop(bytes);
        Ok(RowReader {
            frame,
            next_row: 0,
            pending: Vec::new().into_iter(),
            name: rows_name(self),
            failed: false,
        })
    }
}

/// The rows of a table, a batch at a time: [`RowsSerializer::read_rows`].
#[derive(Debug)]
pub struct RowReader<T> {
    frame: DataFrame,
    next_row: usize,
    pending: std::vec::IntoIter<T>,
    name: &'static str,
    failed: bool,
}

impl<T> RowReader<T> {
    /// The number of rows in the table.
    pub fn len(&self) -> usize {
        self.frame.height()
    }

    /// Whether the table has no rows.
    pub fn is_empty(&self) -> bool {
        self.frame.height() == 0
    }
}

impl<T: Row> Iterator for RowReader<T> {
    type Item = Result<T, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(row) = self.pending.next() {
                return Some(Ok(row));
            }
            if self.failed || self.next_row >= self.frame.height() {
                return None;
            }
            let first = self.next_row;
            let offset = i64::try_from(first).unwrap_or(i64::MAX);
            let batch = self.frame.slice(offset, BATCH_ROWS);
            self.next_row += BATCH_ROWS;
            match T::from_frame_at(&batch, first) {
                Ok(rows) => self.pending = rows.into_iter(),
                Err(kind) => {
                    self.failed = true;
                    return Some(Err(Error::new(self.name, Operation::Deserialize, kind)));
                }
            }
        }
    }
}

/// Not public API: what `#[derive(Row)]` expands to calls these.
#[doc(hidden)]
pub mod __derive {
    use polars::frame::DataFrame;
    use polars::prelude::{Column, Series};

    use super::CellError;
    use crate::error::ErrorKind;

    /// How a column type reads a column.
    pub type Read<T> = fn(&Series) -> Result<Vec<Option<T>>, CellError>;

    /// The column of field `name`, or the error of building it.
    pub fn column(name: &str, series: Result<Series, CellError>) -> Result<Column, ErrorKind> {
        series
            .map(super::IntoColumn::into_column)
            .map_err(|err| err.in_column(name))
    }

    /// The table of `columns`, `height` rows.
    pub fn frame(height: usize, columns: Vec<Column>) -> Result<DataFrame, ErrorKind> {
        DataFrame::new(height, columns)
            .map_err(|err| ErrorKind::unrepresentable(format!("the rows make no table: {err}")))
    }

    /// The values of column `name` of `frame`, as `read` reads them; the frame's rows start
    /// at row `first` of the table.
    pub fn values<T>(
        frame: &DataFrame,
        name: &str,
        read: Read<T>,
        first: usize,
    ) -> Result<std::vec::IntoIter<Option<T>>, ErrorKind> {
        let Ok(column) = frame.column(name) else {
            // A table of no rows may have no columns either (JSON's `[]`).
            if frame.height() == 0 {
                return Ok(Vec::new().into_iter());
            }
            return Err(ErrorKind::mismatch(format!("column `{name}` is missing")));
        };
        read_or_nulls(column.as_materialized_series(), read)
            .map(Vec::into_iter)
            .map_err(|err| err.shifted(first).in_column(name))
    }

    /// The values of the field `name` of a struct column's `fields`.
    pub fn struct_values<T>(
        fields: &[Series],
        name: &str,
        read: Read<T>,
    ) -> Result<std::vec::IntoIter<Option<T>>, CellError> {
        let field = fields
            .iter()
            .find(|field| field.name().as_str() == name)
            .ok_or_else(|| CellError::new(format!("struct field `{name}` is missing")))?;
        read_or_nulls(field, read)
            .map(Vec::into_iter)
            .map_err(|err| err.in_field(name))
    }

    /// The values `read` reads; a column of the `Null` dtype (JSON's reader infers it for a
    /// column of nulls only) that `read` does not take (an `Option` takes it) is nulls, which
    /// a field that is not an `Option` then refuses by row.
    pub(super) fn read_or_nulls<T>(
        series: &Series,
        read: Read<T>,
    ) -> Result<Vec<Option<T>>, CellError> {
        match read(series) {
            Err(_) if series.dtype().is_null() => {
                Ok(std::iter::repeat_with(|| None).take(series.len()).collect())
            }
            values => values,
        }
    }

    /// An error for the first column of `frame` not in `known`.
    pub fn no_other_columns(frame: &DataFrame, known: &[&str]) -> Result<(), ErrorKind> {
        match frame
            .columns()
            .iter()
            .find(|column| !known.contains(&column.name().as_str()))
        {
            Some(column) => Err(ErrorKind::mismatch(format!(
                "column `{}` is no field of the row type, which denies unknown fields",
                column.name()
            ))),
            None => Ok(()),
        }
    }

    /// The value of row `row` of column `name`: an error for a null.
    pub fn required<T>(value: Option<Option<T>>, name: &str, row: usize) -> Result<T, ErrorKind> {
        match value {
            Some(Some(value)) => Ok(value),
            Some(None) => Err(ErrorKind::mismatch(format!(
                "column `{name}`, row {row}: a null in a field that is not an `Option`"
            ))),
            None => Err(ErrorKind::malformed(format!(
                "column `{name}` ends before row {row}"
            ))),
        }
    }

    /// As [`required`], inside a struct column.
    pub fn required_field<T>(
        value: Option<Option<T>>,
        name: &str,
        row: usize,
    ) -> Result<T, CellError> {
        match value {
            Some(Some(value)) => Ok(value),
            Some(None) => {
                Err(CellError::at(row, "a null in a field that is not an `Option`").in_field(name))
            }
            None => Err(CellError::at(row, "the field ends early").in_field(name)),
        }
    }

    /// The struct column's fields and which rows are null.
    pub fn struct_fields(series: &Series) -> Result<(Vec<Series>, Vec<bool>), CellError> {
        let fields = series
            .struct_()
            .map_err(|_| CellError::new(format!("a column of {}, not a struct", series.dtype())))?;
        let nulls = series
            .is_null()
            .iter()
            .map(|null| null.unwrap_or(true))
            .collect();
        Ok((fields.fields_as_series(), nulls))
    }

    pub use super::cells::{string_series, struct_series, variants};
    pub use polars::prelude::DataType;
}
