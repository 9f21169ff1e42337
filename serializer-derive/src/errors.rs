//! Collects every error of one derive, so that all are reported at once.

use std::fmt::Display;

use proc_macro2::Span;
use quote::ToTokens;

/// The errors found so far; [`Errors::finish`] turns them into one `syn::Error`.
#[must_use = "errors are reported only by `finish`"]
#[derive(Default)]
pub(crate) struct Errors {
    list: Vec<syn::Error>,
}

impl Errors {
    pub(crate) fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    pub(crate) fn push(&mut self, error: syn::Error) {
        self.list.push(error);
    }

    /// An error whose arrow covers the tokens of `tokens`.
    pub(crate) fn spanned<T: ToTokens, M: Display>(&mut self, tokens: T, message: M) {
        self.push(syn::Error::new_spanned(tokens, message));
    }

    pub(crate) fn at<M: Display>(&mut self, span: Span, message: M) {
        self.push(syn::Error::new(span, message));
    }

    /// Keeps the error of a failed parse and gives back its value, if any.
    pub(crate) fn ok<T>(&mut self, result: syn::Result<T>) -> Option<T> {
        result.map_err(|error| self.push(error)).ok()
    }

    pub(crate) fn finish(self) -> syn::Result<()> {
        let mut list = self.list.into_iter();
        match list.next() {
            None => Ok(()),
            Some(mut first) => {
                first.extend(list);
                Err(first)
            }
        }
    }
}

/// The word of a nested attribute key such as `json` in `#[serializer(json)]`, and its span;
/// an empty word for a path of several segments, which no key matches.
pub(crate) fn key_of(path: &syn::Path) -> (String, Span) {
    match path.get_ident() {
        Some(ident) => (ident.to_string(), ident.span()),
        None => (String::new(), Span::call_site()),
    }
}

/// `"did you mean `json`?"` when `word` is close to one of `valid`.
pub(crate) fn did_you_mean(word: &str, valid: &[&str]) -> String {
    valid
        .iter()
        .map(|candidate| (strsim::jaro_winkler(word, candidate), candidate))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, candidate)| format!("; did you mean `{candidate}`?"))
        .unwrap_or_default()
}

/// `json, binary, datetime, with` for a message.
pub(crate) fn one_of(valid: &[&str]) -> String {
    valid.join(", ")
}
