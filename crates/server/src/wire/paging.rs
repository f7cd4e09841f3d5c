//! Paging, one way for every list operation of every service: `MaxResults`/`Limit` and a `NextToken`/`Marker` that names a position copylab issued.

use serde_json::{Map, Value};

use super::ApiError;

/// One page of a list: the items and the token of the next page.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    /// The items on this page.
    pub items: Vec<Value>,
    /// The token of the next page, when there is one.
    pub next: Option<String>,
}

impl Page {
    /// Writes the page into `body`: the items under `items_member`, the token under
    /// `token_member` when there is a next page.
    pub fn into_body(self, items_member: &str, token_member: &str) -> Value {
        let mut body = Map::new();
        body.insert(items_member.to_owned(), Value::Array(self.items));
        if let Some(next) = self.next {
            body.insert(token_member.to_owned(), Value::String(next));
        }
        Value::Object(body)
    }
}

/// How a list operation names its paging members and bounds its page size.
#[derive(Debug, Clone, Copy)]
pub struct Paging {
    /// The page-size member (`MaxResults`, `Limit`, `MaxItems`).
    pub size_member: &'static str,
    /// The token member (`NextToken`, `Marker`).
    pub token_member: &'static str,
    /// The page size when none is asked for.
    pub default_size: usize,
    /// The largest page size.
    pub max_size: usize,
}

impl Paging {
    /// AWS Backup's and Organizations' `MaxResults` and `NextToken`, at most 1000 a page.
    pub const NEXT_TOKEN: Paging = Paging {
        size_member: "MaxResults",
        token_member: "NextToken",
        default_size: 1000,
        max_size: 1000,
    };

    /// AWS KMS's `Limit` and `Marker` (1 to 1000, default 100).
    pub const KMS: Paging = Paging {
        size_member: "Limit",
        token_member: "Marker",
        default_size: 100,
        max_size: 1000,
    };

    /// AWS IAM's `MaxItems` and `Marker` (1 to 1000, default 100).
    pub const IAM: Paging = Paging {
        size_member: "MaxItems",
        token_member: "Marker",
        default_size: 100,
        max_size: 1000,
    };

    /// The page size the input asks for, within the service's bounds.
    fn size(&self, input: &Map<String, Value>) -> usize {
        input
            .get(self.size_member)
            .and_then(Value::as_u64)
            .map_or(self.default_size, |n| usize::try_from(n).unwrap_or(usize::MAX))
            .clamp(1, self.max_size)
    }

    /// The window of a list of `len` items the input asks for. A token copylab did not issue
    /// is refused with `invalid` (each service names its own error).
    pub fn window(
        &self,
        len: usize,
        input: &Map<String, Value>,
        invalid: impl FnOnce(String) -> ApiError,
    ) -> Result<Window, ApiError> {
        let max = self.size(input);
        let start = match input.get(self.token_member).and_then(Value::as_str) {
            None => 0,
            Some(token) => token
                .strip_prefix("copylab-")
                .and_then(|n| n.parse::<usize>().ok())
                .filter(|n| *n <= len)
                .ok_or_else(|| invalid(format!("{} `{token}` was not issued by this server", self.token_member)))?,
        };
        let end = start.saturating_add(max).min(len);
        let next = (end < len).then(|| format!("copylab-{end}"));
        Ok(Window {
            range: start..end,
            next,
        })
    }

    /// One page of `items`, as [`Paging::window`] picks it.
    pub fn page(
        &self,
        items: &[Value],
        input: &Map<String, Value>,
        invalid: impl FnOnce(String) -> ApiError,
    ) -> Result<Page, ApiError> {
        self.page_by(items, input, invalid, Value::clone)
    }

    /// One page of `items` whose tokens name the last item returned (`key`), not an offset: a
    /// list that grows or loses items before that one while a client pages shows each item
    /// once. A token whose item is gone is refused with `invalid`.
    pub fn page_after<T>(
        &self,
        items: &[T],
        input: &Map<String, Value>,
        invalid: impl FnOnce(String) -> ApiError,
        key: impl Fn(&T) -> &str,
        render: impl FnMut(&T) -> Value,
    ) -> Result<Page, ApiError> {
        let position = |last: &str| items.iter().position(|item| key(item) == last);
        self.page_after_indexed((items, &[]), input, invalid, &key, position, |_| true, render)
    }

    /// [`Paging::page_after`] over the `items` that `keep` keeps, read from the item after the
    /// token's (found with `position`, an index) and only as far as the page reaches: a page
    /// costs its items, not the list. The items are given as two slices, one after the other
    /// (a `VecDeque`'s `as_slices`, or a slice and nothing).
    #[allow(
        clippy::too_many_arguments,
        reason = "the page, its filter, its index and its rendering"
    )]
    pub fn page_after_indexed<T>(
        &self,
        (front, back): (&[T], &[T]),
        input: &Map<String, Value>,
        invalid: impl FnOnce(String) -> ApiError,
        key: impl Fn(&T) -> &str,
        position: impl Fn(&str) -> Option<usize>,
        keep: impl Fn(&T) -> bool,
        render: impl FnMut(&T) -> Value,
    ) -> Result<Page, ApiError> {
        let max = self.size(input);
        let get = |i: usize| match i.checked_sub(front.len()) {
            None => front.get(i),
            Some(i) => back.get(i),
        };
        let start = match input.get(self.token_member).and_then(Value::as_str) {
            None => 0,
            Some(token) => token
                .strip_prefix("copylab-after-")
                .and_then(&position)
                // A token names an item of this list, never one the filter leaves out.
                .filter(|i| get(*i).is_some_and(&keep))
                .map(|i| i + 1)
                .ok_or_else(|| {
                    invalid(format!(
                        "{} `{token}` was not issued by this server, or names an item that is gone",
                        self.token_member
                    ))
                })?,
        };
        let mut page: Vec<&T> = front
            .get(start..)
            .unwrap_or_default()
            .iter()
            .chain(back.get(start.saturating_sub(front.len())..).unwrap_or_default())
            .filter(|item| keep(item))
            .take(max.saturating_add(1))
            .collect();
        let next = (page.len() > max)
            .then(|| {
                page.truncate(max);
                page.last().map(|last| format!("copylab-after-{}", key(last)))
            })
            .flatten();
        Ok(Page {
            items: page.into_iter().map(render).collect(),
            next,
        })
    }

    /// [`Paging::page`] of any items, rendering only those on the page (a list costs its page,
    /// not the whole list).
    pub fn page_by<T>(
        &self,
        items: &[T],
        input: &Map<String, Value>,
        invalid: impl FnOnce(String) -> ApiError,
        render: impl FnMut(&T) -> Value,
    ) -> Result<Page, ApiError> {
        let window = self.window(items.len(), input, invalid)?;
        Ok(Page {
            items: items.get(window.range).unwrap_or_default().iter().map(render).collect(),
            next: window.next,
        })
    }
}

/// The part of a list one page shows, and the token of the next page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Window {
    /// The indexes of the items on this page.
    pub range: std::ops::Range<usize>,
    /// The token of the next page, when there is one.
    pub next: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyed_pages_show_each_item_once_while_the_list_changes() {
        let mut items: Vec<String> = (0..5).map(|i| format!("job-{i}")).collect();
        let mut input = Map::new();
        input.insert("MaxResults".into(), Value::from(2));
        let page = |items: &[String], input: &Map<String, Value>| {
            Paging::NEXT_TOKEN.page_after(items, input, ApiError::invalid_value, String::as_str, |s| {
                Value::from(s.as_str())
            })
        };
        let first = page(&items, &input).unwrap();
        assert_eq!(first.items, [Value::from("job-0"), Value::from("job-1")]);
        // An item before the token's goes away and one is added: an offset would skip job-2.
        items.remove(0);
        items.push("job-5".into());
        input.insert("NextToken".into(), Value::from(first.next.unwrap()));
        let second = page(&items, &input).unwrap();
        assert_eq!(second.items, [Value::from("job-2"), Value::from("job-3")]);
        input.insert("NextToken".into(), Value::from(second.next.unwrap()));
        let third = page(&items, &input).unwrap();
        assert_eq!(third.items, [Value::from("job-4"), Value::from("job-5")]);
        assert_eq!(third.next, None);
        input.insert("NextToken".into(), Value::from("copylab-after-gone"));
        assert!(page(&items, &input).is_err());
    }

    #[test]
    fn indexed_pages_of_a_filtered_list_match_the_filtered_list_paged_by_key() {
        let items: Vec<String> = (0..23).map(|i| format!("job-{i}")).collect();
        let keep = |s: &String| !s.ends_with('3');
        let kept: Vec<String> = items.iter().filter(|s| keep(s)).cloned().collect();
        let position = |id: &str| items.iter().position(|s| s == id);
        // The items as a VecDeque gives them: two slices, split anywhere (a deque that has
        // wrapped around), or one.
        for (size, split) in [1, 2, 5, 20, 21, 100]
            .into_iter()
            .flat_map(|size| [0, 1, 3, 4, 12, 22, 23].map(|split| (size, split)))
        {
            let (front, back) = items.split_at(split);
            let mut input = Map::new();
            input.insert("MaxResults".into(), Value::from(size));
            let (mut indexed, mut keyed) = (Vec::new(), Vec::new());
            loop {
                let page = Paging::NEXT_TOKEN
                    .page_after_indexed(
                        (front, back),
                        &input,
                        ApiError::invalid_value,
                        String::as_str,
                        position,
                        keep,
                        |s| Value::from(s.as_str()),
                    )
                    .unwrap();
                let by_key = Paging::NEXT_TOKEN
                    .page_after(&kept, &input, ApiError::invalid_value, String::as_str, |s| {
                        Value::from(s.as_str())
                    })
                    .unwrap();
                assert_eq!(page, by_key, "page size {size}, split at {split}");
                indexed.extend(page.items);
                keyed.extend(by_key.items);
                match page.next {
                    Some(next) => input.insert("NextToken".into(), Value::from(next)),
                    None => break,
                };
            }
            assert_eq!(indexed, keyed, "page size {size}, split at {split}");
            assert_eq!(indexed.len(), kept.len(), "page size {size}, split at {split}");
        }
        // A token naming an item the filter leaves out (another account's job) is refused.
        let mut input = Map::new();
        input.insert("NextToken".into(), Value::from("copylab-after-job-13"));
        let refused = Paging::NEXT_TOKEN.page_after_indexed(
            items.split_at(20),
            &input,
            ApiError::invalid_value,
            String::as_str,
            position,
            keep,
            |s| Value::from(s.as_str()),
        );
        assert!(refused.is_err());
    }

    #[test]
    fn pages_follow_issued_tokens_and_refuse_others() {
        let items: Vec<Value> = (0..5).map(Value::from).collect();
        let mut input = Map::new();
        input.insert("MaxResults".into(), Value::from(2));
        let first = Paging::NEXT_TOKEN
            .page(&items, &input, ApiError::invalid_value)
            .unwrap();
        assert_eq!(first.items, [Value::from(0), Value::from(1)]);
        input.insert("NextToken".into(), Value::from(first.next.unwrap()));
        let second = Paging::NEXT_TOKEN
            .page(&items, &input, ApiError::invalid_value)
            .unwrap();
        assert_eq!(second.items, [Value::from(2), Value::from(3)]);
        input.insert("NextToken".into(), Value::from("7"));
        assert!(
            Paging::NEXT_TOKEN
                .page(&items, &input, ApiError::invalid_value)
                .is_err()
        );
    }
}
