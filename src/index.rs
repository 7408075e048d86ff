//! Typed indexes: the site model has three index spaces (articles, deals of
//! the index, deals within one article), each with its own type, so that an
//! index of one space cannot be used in another: `site.articles[deal]` does
//! not compile.
//!
//! `IdxVec<I, T>` is a `Vec<T>` indexed by `I` only:
//!
//! ```
//! use dealwire::index::{ArticleIdx, Idx, IdxVec};
//! let titles: IdxVec<ArticleIdx, &str> = vec!["a"].into();
//! assert_eq!(titles[ArticleIdx::new(0)], "a");
//! ```
//!
//! and an index of another space, or a bare number, does not compile:
//!
//! ```compile_fail
//! use dealwire::index::{ArticleIdx, DealIdx, Idx, IdxVec};
//! let titles: IdxVec<ArticleIdx, &str> = vec!["a"].into();
//! let _ = titles[DealIdx::new(0)];
//! ```
//!
//! ```compile_fail
//! use dealwire::index::{ArticleIdx, IdxVec};
//! let titles: IdxVec<ArticleIdx, &str> = vec!["a"].into();
//! let _ = titles[0];
//! ```

use std::marker::PhantomData;

/// An index type of one space.
pub trait Idx: Copy {
    /// The index of position `i`.
    fn new(i: usize) -> Self;
    /// Its position.
    fn get(self) -> usize;
}

macro_rules! index_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
        pub struct $name(usize);

        impl Idx for $name {
            fn new(i: usize) -> Self {
                $name(i)
            }
            fn get(self) -> usize {
                self.0
            }
        }
    };
}

index_type!(
    /// A position in `Site::articles`.
    ArticleIdx
);
index_type!(
    /// A position in `Site::deals`, the deals index.
    DealIdx
);
index_type!(
    /// A position in one article's `deals`.
    DealNo
);

/// A vector indexed by one index type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdxVec<I, T> {
    items: Vec<T>,
    index: PhantomData<fn(I) -> I>,
}

impl<I, T> Default for IdxVec<I, T> {
    fn default() -> Self {
        IdxVec {
            items: Vec::new(),
            index: PhantomData,
        }
    }
}

impl<I: Idx, T> IdxVec<I, T> {
    /// The number of items.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// True when there is no item.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The items in order.
    pub fn iter(&self) -> std::slice::Iter<'_, T> {
        self.items.iter()
    }

    /// The items in order, to change.
    pub fn iter_mut(&mut self) -> std::slice::IterMut<'_, T> {
        self.items.iter_mut()
    }

    /// Every index, in order.
    pub fn indices(&self) -> impl DoubleEndedIterator<Item = I> + ExactSizeIterator + use<I, T> {
        (0..self.items.len()).map(I::new)
    }

    /// The items with their indexes.
    pub fn iter_enumerated(&self) -> impl DoubleEndedIterator<Item = (I, &T)> {
        self.items.iter().enumerate().map(|(i, t)| (I::new(i), t))
    }

    /// Adds an item at the end and returns its index.
    pub fn push(&mut self, item: T) -> I {
        self.items.push(item);
        I::new(self.items.len() - 1)
    }

    /// The item at `i`, if there is one.
    pub fn get(&self, i: I) -> Option<&T> {
        self.items.get(i.get())
    }

    /// The items as a plain vector.
    pub fn into_vec(self) -> Vec<T> {
        self.items
    }
}

impl<I, T> From<Vec<T>> for IdxVec<I, T> {
    fn from(items: Vec<T>) -> Self {
        IdxVec {
            items,
            index: PhantomData,
        }
    }
}

impl<I, T> FromIterator<T> for IdxVec<I, T> {
    fn from_iter<It: IntoIterator<Item = T>>(iter: It) -> Self {
        IdxVec::from(iter.into_iter().collect::<Vec<T>>())
    }
}

impl<I, T> IntoIterator for IdxVec<I, T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

impl<'a, I, T> IntoIterator for &'a IdxVec<I, T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.iter()
    }
}

impl<I: Idx, T> std::ops::Index<I> for IdxVec<I, T> {
    type Output = T;
    fn index(&self, i: I) -> &T {
        &self.items[i.get()]
    }
}

impl<I: Idx, T> std::ops::IndexMut<I> for IdxVec<I, T> {
    fn index_mut(&mut self, i: I) -> &mut T {
        &mut self.items[i.get()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indexes_count_from_zero_in_their_own_space() {
        let mut v: IdxVec<ArticleIdx, &str> = IdxVec::default();
        let a = v.push("a");
        let b = v.push("b");
        assert_eq!((a.get(), b.get()), (0, 1));
        assert_eq!(v[b], "b");
        assert_eq!(v.indices().collect::<Vec<_>>(), vec![a, b]);
        assert_eq!(v.get(ArticleIdx::new(2)), None);
        let pairs: Vec<_> = v.iter_enumerated().map(|(i, s)| (i.get(), *s)).collect();
        assert_eq!(pairs, vec![(0, "a"), (1, "b")]);
    }
}
