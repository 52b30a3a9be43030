//! `#[derive(LiteRow)]`: decodes a struct from a SQLite row read through `mita::db::lite`, by
//! column name (each looked up once per statement), the way `#[derive(sqlx::FromRow)]` does on
//! PostgreSQL. Row structs derive
//! both, so one SQL text serves both databases. Field attributes: `#[sqlx(rename = "col")]`
//! (the one sqlx attribute the code uses) names the column; nothing else is supported, and
//! anything else is a compile error rather than a silent difference from sqlx.

use proc_macro::TokenStream;
use quote::quote;
use syn::{Data, DeriveInput, Fields, LitStr, parse_macro_input};

#[proc_macro_derive(LiteRow, attributes(sqlx))]
pub fn derive_lite_row(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    match expand(&input) {
        Ok(tokens) => tokens.into(),
        Err(e) => e.to_compile_error().into(),
    }
}

fn expand(input: &DeriveInput) -> syn::Result<proc_macro2::TokenStream> {
    let name = &input.ident;
    let Data::Struct(data) = &input.data else {
        return Err(syn::Error::new_spanned(
            name,
            "LiteRow derives only for structs",
        ));
    };
    let Fields::Named(fields) = &data.fields else {
        return Err(syn::Error::new_spanned(
            name,
            "LiteRow derives only for structs with named fields",
        ));
    };
    let mut inits = Vec::new();
    let mut lookups = Vec::new();
    for (position, field) in fields.named.iter().enumerate() {
        let ident = field.ident.as_ref().expect("named field");
        let mut column = ident.to_string().trim_start_matches("r#").to_owned();
        for attr in field.attrs.iter().filter(|a| a.path().is_ident("sqlx")) {
            attr.parse_nested_meta(|meta| {
                if meta.path.is_ident("rename") {
                    column = meta.value()?.parse::<LitStr>()?.value();
                    Ok(())
                } else {
                    Err(meta.error("LiteRow supports only #[sqlx(rename = \"...\")]"))
                }
            })?;
        }
        lookups.push(quote! { ::mita::db::lite::index_of(st, #column)? });
        inits.push(quote! { #ident: ::mita::db::lite::column(row, columns[#position], #column)? });
    }
    let count = inits.len();
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    Ok(quote! {
        impl #impl_generics ::mita::db::lite::FromRow for #name #ty_generics #where_clause {
            type Columns = [usize; #count];

            fn columns(st: &::mita::db::lite::rusqlite::Statement<'_>) -> ::std::result::Result<Self::Columns, ::mita::db::lite::Error> {
                ::std::result::Result::Ok([#(#lookups),*])
            }

            fn from_row(row: &::mita::db::lite::Row<'_>, columns: &Self::Columns) -> ::std::result::Result<Self, ::mita::db::lite::Error> {
                ::std::result::Result::Ok(#name { #(#inits),* })
            }
        }
    })
}
