//! ThingsBoard page links (`pageSize`, `page`, `textSearch`, `sortProperty`, `sortOrder`), validated and turned
//! into SQL fragments from a whitelist, never from the caller's text.

use crate::backend::kernel::error::ServiceError;
use crate::backend::kernel::error::ServiceResult;
use crate::model::PageData;
use sqlx::AnyPool;
use sqlx::any::AnyRow;
use std::collections::HashMap;

/// Largest page a caller may ask for.
pub const MAX_PAGE_SIZE: i64 = 10_000;

/// A validated page request.
#[derive(Clone, Debug, PartialEq)]
pub struct PageLink {
    pub page_size: i64,
    pub page: i64,
    /// Lower-cased search text, if any.
    pub text_search: Option<String>,
    pub sort_property: Option<String>,
    pub descending: bool,
}

fn int_param(q: &HashMap<String, String>, name: &str) -> ServiceResult<i64> {
    let v = q
        .get(name)
        .ok_or_else(|| ServiceError::BadRequestParams(format!("Required request parameter '{name}' is not present")))?;
    v.trim()
        .parse::<i64>()
        .map_err(|_| ServiceError::BadRequestParams(format!("Invalid value '{v}' for parameter '{name}'")))
}

impl PageLink {
    /// Reads and validates the page parameters of a query string.
    pub fn from_query(q: &HashMap<String, String>) -> ServiceResult<PageLink> {
        let page_size = int_param(q, "pageSize")?;
        let page = int_param(q, "page")?;
        if !(1..=MAX_PAGE_SIZE).contains(&page_size) {
            return Err(ServiceError::InvalidArguments(format!("pageSize must be between 1 and {MAX_PAGE_SIZE}")));
        }
        if !(0..=1_000_000).contains(&page) {
            return Err(ServiceError::InvalidArguments("page must be between 0 and 1000000".into()));
        }
        let descending = match q.get("sortOrder").map(|s| s.to_ascii_uppercase()) {
            None => false,
            Some(s) if s == "ASC" || s.is_empty() => false,
            Some(s) if s == "DESC" => true,
            Some(s) => return Err(ServiceError::InvalidArguments(format!("Invalid sort order '{s}'"))),
        };
        let text_search = q.get("textSearch").map(|s| s.trim().to_lowercase()).filter(|s| !s.is_empty());
        if text_search.as_ref().is_some_and(|s| s.chars().count() > 255) {
            return Err(ServiceError::InvalidArguments("textSearch length must be equal or less than 255".into()));
        }
        if let Some(t) = &text_search {
            crate::backend::kernel::validate::single_line("textSearch", t)?;
        }
        let sort_property = q.get("sortProperty").filter(|s| !s.is_empty()).cloned();
        Ok(PageLink { page_size, page, text_search, sort_property, descending })
    }

    /// `ORDER BY` for the requested property, looked up in `allowed` (wire name → column), with `id` as the
    /// tie-break so pages never overlap.
    pub fn order_by(&self, allowed: &[(&str, &str)], default_column: &str) -> ServiceResult<String> {
        let column = match &self.sort_property {
            None => default_column,
            Some(p) => allowed
                .iter()
                .find(|(name, _)| name == p)
                .map(|(_, col)| *col)
                .ok_or_else(|| ServiceError::InvalidArguments(format!("Invalid sort property '{p}'")))?,
        };
        let dir = if self.descending { "DESC" } else { "ASC" };
        Ok(format!("ORDER BY {column} {dir}, id {dir}"))
    }

    /// `%text%` for a LIKE with `\` as escape, or `None` without a search.
    pub fn like_pattern(&self) -> Option<String> {
        self.text_search.as_ref().map(|s| {
            let escaped = s.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
            format!("%{escaped}%")
        })
    }

    /// One page holding every row of an id list (`…?ids=` lookups), which are capped at `MAX_IDS`.
    pub fn covering(ids: usize) -> ServiceResult<PageLink> {
        if ids > MAX_IDS {
            return Err(ServiceError::InvalidArguments(format!("At most {MAX_IDS} ids can be asked for at once")));
        }
        Ok(PageLink {
            page_size: ids.max(1) as i64,
            page: 0,
            text_search: None,
            sort_property: None,
            descending: false,
        })
    }

    /// Row offset of this page.
    pub fn offset(&self) -> i64 {
        self.page * self.page_size
    }

    /// Wraps one page of rows with the totals.
    pub fn page_of<T>(&self, data: Vec<T>, total: i64) -> PageData<T> {
        let total_pages = if total == 0 { 0 } else { (total + self.page_size - 1) / self.page_size };
        PageData { data, total_pages, total_elements: total, has_next: self.offset() + self.page_size < total }
    }
}

/// Most ids one lookup by ids may name.
pub const MAX_IDS: usize = 1000;

/// Appends `sql` to `from`, numbering each `$?` after the binds so far and binding `values` in order, so list
/// queries are assembled from whitelisted fragments while every value travels as a bind.
pub fn push_sql(from: &mut String, binds: &mut Vec<String>, sql: &str, values: Vec<String>) {
    let mut sql = sql.to_string();
    for v in values {
        binds.push(v);
        sql = sql.replacen("$?", &format!("${}", binds.len()), 1);
    }
    from.push_str(&sql);
}

/// `n` placeholders `$?, $?, …` for `push_sql` (an `IN` list).
pub fn marks(n: usize) -> String {
    vec!["$?"; n].join(", ")
}

/// Runs one page of a list: `SELECT COUNT(*) {from}` for the total, then `SELECT {columns} {from} {order}` with
/// LIMIT/OFFSET, both with the same text binds (`$1…`), each row mapped by `map`. `from` holds the FROM and
/// WHERE clauses the caller built from whitelisted parts; every value travels as a bind.
pub async fn fetch<T>(
    pool: &AnyPool,
    columns: &str,
    from: &str,
    order: &str,
    binds: &[String],
    link: &PageLink,
    map: impl Fn(&AnyRow) -> ServiceResult<T>,
) -> ServiceResult<PageData<T>> {
    fetch_with_total(pool, columns, from, order, binds, link, None, map).await
}

/// `fetch`, with the total already known (from `counts`) when `total` is given.
#[allow(clippy::too_many_arguments)]
pub async fn fetch_with_total<T>(
    pool: &AnyPool,
    columns: &str,
    from: &str,
    order: &str,
    binds: &[String],
    link: &PageLink,
    total: Option<i64>,
    map: impl Fn(&AnyRow) -> ServiceResult<T>,
) -> ServiceResult<PageData<T>> {
    let total = match total {
        Some(t) => t,
        None => {
            let count_sql = format!("SELECT COUNT(*) {from}");
            let count = binds.iter().fold(sqlx::query_scalar::<_, i64>(&count_sql), |q, b| q.bind(b.clone()));
            count.fetch_one(pool).await?
        }
    };
    let n = binds.len() + 1;
    let sql = format!("SELECT {columns} {from} {order} LIMIT ${n} OFFSET ${}", n + 1);
    let q = binds.iter().fold(sqlx::query(&sql), |q, b| q.bind(b.clone()));
    let rows = q.bind(link.page_size).bind(link.offset()).fetch_all(pool).await?;
    let data = rows.iter().map(map).collect::<ServiceResult<Vec<_>>>()?;
    Ok(link.page_of(data, total))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn parses_and_validates() {
        let p = PageLink::from_query(&q(&[
            ("pageSize", "10"),
            ("page", "2"),
            ("textSearch", " Ab_c "),
            ("sortOrder", "desc"),
        ]))
        .unwrap();
        assert_eq!(p.offset(), 20);
        assert_eq!(p.like_pattern().unwrap(), "%ab\\_c%");
        assert!(p.descending);
        assert!(PageLink::from_query(&q(&[("page", "0")])).is_err());
        assert!(PageLink::from_query(&q(&[("pageSize", "0"), ("page", "0")])).is_err());
        assert!(PageLink::from_query(&q(&[("pageSize", "x"), ("page", "0")])).is_err());
    }

    #[test]
    fn sort_is_whitelisted() {
        let p = PageLink::from_query(&q(&[("pageSize", "1"), ("page", "0"), ("sortProperty", "title; DROP")])).unwrap();
        assert!(p.order_by(&[("title", "title")], "created_time").is_err());
        let p = PageLink::from_query(&q(&[("pageSize", "1"), ("page", "0"), ("sortProperty", "title")])).unwrap();
        assert_eq!(p.order_by(&[("title", "title")], "created_time").unwrap(), "ORDER BY title ASC, id ASC");
    }

    #[test]
    fn totals() {
        let p = PageLink::from_query(&q(&[("pageSize", "10"), ("page", "1")])).unwrap();
        let page = p.page_of(vec![1], 21);
        assert_eq!((page.total_pages, page.has_next), (3, true));
        let page = p.page_of(Vec::<i32>::new(), 20);
        assert_eq!((page.total_pages, page.has_next), (2, false));
    }
}
