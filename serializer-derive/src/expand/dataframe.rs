//! `dataframe(...)` expanded: the runtime's options type for the file type and one `with_`
//! builder call per checked option.

use proc_macro2::{Literal, Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use super::{checked_const, newtype_impl};
use crate::ast::Input;
use crate::attr::dataframe::{Checked, DataFrame, FileType};
use crate::symbol::{
    BROTLI, DEFLATE, GZIP, INFER_SCHEMA_LENGTH, LZ4, LZ4_RAW, PANDAS_COLUMNS, SNAPPY, UNCOMPRESSED,
};

/// The expression building the serializer.
pub(crate) fn constructor(frame: &DataFrame) -> TokenStream {
    let options_type = match frame.file_type {
        FileType::Csv => quote!(CsvOptions),
        FileType::Parquet => quote!(ParquetOptions),
        FileType::Json => quote!(JsonOptions),
        FileType::NdJson => quote!(NdJsonOptions),
        FileType::Ipc => quote!(IpcOptions),
        FileType::Avro => quote!(AvroOptions),
    };
    let constructor = syn::Ident::new(frame.file_type.name(), Span::call_site());
    let level = frame.options.iter().find_map(|option| match option {
        Checked::Level(level) => Some(*level),
        _ => None,
    });
    let calls = frame
        .options
        .iter()
        .filter_map(|option| builder_call(frame.file_type, option, level));
    quote! {
        _rs::DataFrameSerializer::#constructor(
            _rs::dataframe::#options_type::new() #(#calls)*
        )
    }
}

fn builder_call(file_type: FileType, option: &Checked, level: Option<i64>) -> Option<TokenStream> {
    let method = |key: &str| syn::Ident::new(&format!("with_{key}"), Span::call_site());
    Some(match option {
        Checked::Byte(key, byte) => {
            let method = method(key);
            let byte = Literal::u8_unsuffixed(*byte);
            quote!(.#method(#byte))
        }
        Checked::Bool(key, value) => {
            let method = method(key);
            quote!(.#method(#value))
        }
        Checked::Str(key, value) => {
            let method = method(key);
            quote!(.#method(#value))
        }
        Checked::Count(key, count) => {
            let method = method(key);
            let count = Literal::u64_unsuffixed(*count);
            quote!(.#method(#count))
        }
        Checked::NonZero(key, count) => {
            let count = Literal::u64_unsuffixed(*count);
            let value = checked_const(quote!(::core::num::NonZeroUsize::new(#count)));
            if *key == INFER_SCHEMA_LENGTH {
                quote!(.with_infer_schema_length(::core::option::Option::Some(#value)))
            } else {
                let method = method(key);
                quote!(.#method(#value))
            }
        }
        Checked::List(key, items) => {
            let method = method(key);
            quote!(.#method([#(#items),*]))
        }
        Checked::Layout(layout) => {
            let variant = if *layout == PANDAS_COLUMNS {
                quote!(PandasColumns)
            } else {
                quote!(Records)
            };
            quote!(.with_layout(_rs::dataframe::JsonLayout::#variant))
        }
        Checked::Level(_) => return None,
        Checked::Compression(codec) => {
            let level_of = |level_type: TokenStream| match level {
                Some(level) => {
                    let level = Literal::i64_unsuffixed(level);
                    let value = checked_const(quote!(_rs::dataframe::#level_type::new(#level)));
                    quote!(::core::option::Option::Some(#value))
                }
                None => quote!(::core::option::Option::None),
            };
            let compression = match (file_type, *codec) {
                (FileType::Parquet, UNCOMPRESSED) => quote!(ParquetCompression::Uncompressed),
                (FileType::Parquet, SNAPPY) => quote!(ParquetCompression::Snappy),
                (FileType::Parquet, LZ4_RAW) => quote!(ParquetCompression::Lz4Raw),
                (FileType::Parquet, GZIP) => {
                    let level = level_of(quote!(GzipLevel));
                    quote!(ParquetCompression::Gzip(#level))
                }
                (FileType::Parquet, BROTLI) => {
                    let level = level_of(quote!(BrotliLevel));
                    quote!(ParquetCompression::Brotli(#level))
                }
                (FileType::Parquet, _) => {
                    let level = level_of(quote!(ZstdLevel));
                    quote!(ParquetCompression::Zstd(#level))
                }
                (FileType::Ipc, UNCOMPRESSED) => quote!(IpcCompression::Uncompressed),
                (FileType::Ipc, LZ4) => quote!(IpcCompression::Lz4),
                (FileType::Ipc, _) => {
                    let level = level_of(quote!(ZstdLevel));
                    quote!(IpcCompression::Zstd(#level))
                }
                (_, DEFLATE) => quote!(AvroCompression::Deflate),
                (_, SNAPPY) => quote!(AvroCompression::Snappy),
                (_, _) => quote!(AvroCompression::Uncompressed),
            };
            quote!(.with_compression(_rs::dataframe::#compression))
        }
    })
}

/// `DataFrameValue` for a newtype, delegating to its field.
pub(crate) fn value_impl(input: &Input<'_>) -> TokenStream {
    newtype_impl(input, quote!(DataFrameValue), |member, inner| {
        quote! {
            #[inline]
            fn as_data_frame(&self) -> &_rs::polars::frame::DataFrame {
                #inner::as_data_frame(&self.#member)
            }

            #[inline]
            fn from_data_frame(frame: _rs::polars::frame::DataFrame) -> Self {
                Self { #member: #inner::from_data_frame(frame) }
            }
        }
    })
}

/// `RowsValue` for a newtype, delegating to its field (a `Vec` of rows); for a CSV file, a
/// check at compile time that the rows are flat, naming the first field that is not.
pub(crate) fn rows_value_impl(input: &Input<'_>, frame: &DataFrame) -> TokenStream {
    let span = input
        .newtype_field()
        .map_or_else(Span::call_site, |field| field.ty.span());
    let flat_check = (frame.file_type == FileType::Csv).then(|| {
        let field_ty = input.newtype_field().map(|field| &field.ty);
        quote_spanned! {span=>
            const _: () = {
                if let ::core::option::Option::Some(field) =
                    <<#field_ty as _rs::dataframe::RowsValue>::Row as _rs::dataframe::Row>::NESTED_FIELD
                {
                    ::core::panic!("{}", field);
                }
            };
        }
    });
    let value = newtype_impl(input, quote!(dataframe::RowsValue), |member, inner| {
        // Spanned whole at the field's type, so that a field that is not a `Vec` of rows is
        // reported there.
        let row = quote_spanned!(span=> #inner::Row);
        quote! {
            type Row = #row;

            #[inline]
            fn as_rows(&self) -> &[Self::Row] {
                #inner::as_rows(&self.#member)
            }

            #[inline]
            fn from_rows(rows: ::std::vec::Vec<Self::Row>) -> Self {
                Self { #member: #inner::from_rows(rows) }
            }
        }
    });
    quote!(#value #flat_check)
}
