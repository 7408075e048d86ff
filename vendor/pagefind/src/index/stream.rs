//! dealwire: one language's index built from batches of pages, in bounded
//! memory, into the same files as `build_indexes`.
//!
//! `build_indexes` holds every fossicked page (each word occurrence a
//! `FossickedWord`) and then every page's word map before it merges them: at
//! 100,000 pages that is more than 12 GB. Here each batch is packed in
//! parallel (`pack_page`, as `build_indexes` does), and what the index keeps
//! of it is already in its final form: each word's page list as the CBOR
//! bytes `build_indexes` would write (page numbers delta-encoded), and each
//! fragment gzipped. The batch is then dropped. Pages must be added in the
//! order of their page numbers; the files are byte for byte those
//! `build_indexes` makes of the same pages in the same order (a test in
//! dealwire checks it). Fragment groups (`max_fragments`) are not made.

use hashbrown::HashMap;
use rayon::prelude::*;
use std::collections::BTreeMap;

use super::{
    chunk_meta_bounds, encode_filters, encode_meta, meta_sorts, name_word_chunks, pack_page,
    MetaIndex, MetaPage, PagefindIndexes,
};
use crate::{fossick::FossickedData, SearchOptions};

/// Words are merged in this many shards, in parallel.
const SHARDS: usize = 64;

/// The pages of one word (or of one spelling of it) as CBOR items.
#[derive(Default)]
struct PageList {
    count: u64,
    last_page: usize,
    bytes: Vec<u8>,
}

impl PageList {
    /// Appends a `PackedPage` whose `locs` and `meta_locs` are `tail`.
    fn push(&mut self, page: usize, tail: &[u8]) {
        let mut e = minicbor::Encoder::new(&mut self.bytes);
        let _ = e.array(3).and_then(|e| e.u64((page - self.last_page) as u64));
        self.bytes.extend_from_slice(tail);
        self.last_page = page;
        self.count += 1;
    }

    fn encode(&self, e: &mut minicbor::Encoder<&mut Vec<u8>>) {
        let _ = e.array(self.count);
        e.writer_mut().extend_from_slice(&self.bytes);
    }
}

/// A word: its pages, its spellings with diacritics, and its size as
/// `chunk_index` counts it (without the number of spellings).
#[derive(Default)]
struct WordStream {
    pages: PageList,
    variants: Vec<(String, PageList)>,
    size: usize,
}

/// One page's share of a word: its encoded locations and their count + 1.
struct Share {
    size: usize,
    tail: Vec<u8>,
}

/// What one page gives a word.
struct WordEntry {
    word: String,
    page: Option<Share>,
    variants: Vec<(String, Share)>,
}

/// A page packed and encoded, ready to merge.
struct PackedBatchPage {
    page_number: usize,
    shards: Vec<Vec<WordEntry>>,
    filter_entries: Vec<(String, String, usize)>,
    full_hash: String,
    word_count: usize,
    fragment: Vec<u8>,
}

/// One language's index, fed batch by batch.
pub struct LanguageStream {
    language: String,
    meta_fields: Vec<String>,
    pages: usize,
    shards: Vec<HashMap<String, WordStream>>,
    filter_map: HashMap<String, HashMap<String, Vec<usize>>>,
    sort_values: BTreeMap<String, Vec<(String, usize)>>,
    /// Short fragment names and the full hash each stands for.
    fragment_names: HashMap<String, String>,
    /// Each page's fragment name, word count and gzipped fragment.
    fragments: Vec<(String, usize, Vec<u8>)>,
}

fn shard_of(word: &str) -> usize {
    // FNV-1a: any spread will do, the words are sorted at the end.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in word.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
    }
    (h % SHARDS as u64) as usize
}

fn share(page: &super::PackedPage) -> Share {
    let mut tail = Vec::new();
    let _ = minicbor::encode(&page.locs, &mut tail);
    let _ = minicbor::encode(&page.meta_locs, &mut tail);
    Share {
        size: page.locs.len() + page.meta_locs.len() + 1,
        tail,
    }
}

impl LanguageStream {
    /// An empty index of `language`, whose pages have meta fields among
    /// `meta_fields` (sorted, as `build_indexes` sorts the fields it finds).
    pub fn new(language: String, mut meta_fields: Vec<String>) -> Self {
        meta_fields.sort_unstable();
        meta_fields.dedup();
        Self {
            language,
            meta_fields,
            pages: 0,
            shards: (0..SHARDS).map(|_| HashMap::new()).collect(),
            filter_map: HashMap::new(),
            sort_values: BTreeMap::new(),
            fragment_names: HashMap::new(),
            fragments: Vec::new(),
        }
    }

    /// Whether a page's meta fields are all known to this index.
    pub fn knows_fields(&self, page: &FossickedData) -> bool {
        page.fragment
            .data
            .meta
            .keys()
            .all(|k| self.meta_fields.binary_search(k).is_ok())
    }

    /// Adds pages (with words, and fields `knows_fields` accepts), numbered
    /// after those added before.
    pub fn add(&mut self, mut pages: Vec<FossickedData>) {
        for page in pages.iter_mut() {
            page.fragment.page_number = self.pages;
            self.pages += 1;
            for (key, value) in &page.sort {
                self.sort_values
                    .entry(key.clone())
                    .or_default()
                    .push((value.clone(), page.fragment.page_number));
            }
        }
        let meta_fields = &self.meta_fields;
        let language = &self.language;
        let packed: Vec<PackedBatchPage> = pages
            .into_par_iter()
            .map(|page| {
                let page_number = page.fragment.page_number;
                let result = pack_page(page, meta_fields, language);
                let mut shards: Vec<Vec<WordEntry>> = (0..SHARDS).map(|_| Vec::new()).collect();
                for (word, packed) in result.word_map {
                    let entry = WordEntry {
                        page: packed.pages.first().map(share),
                        variants: packed
                            .additional_variants
                            .iter()
                            .filter_map(|v| v.pages.first().map(|p| (v.form.clone(), share(p))))
                            .collect(),
                        word,
                    };
                    shards[shard_of(&entry.word)].push(entry);
                }
                let encoded = result.encoded_page;
                PackedBatchPage {
                    page_number,
                    shards,
                    filter_entries: result.filter_entries,
                    fragment: crate::output::gzip(&[encoded.encoded_data.as_bytes()]),
                    full_hash: encoded.full_hash,
                    word_count: encoded.word_count,
                }
            })
            .collect();

        // Each shard takes its words from every page, in page order.
        let mut packed = packed;
        let mut by_shard: Vec<Vec<(usize, Vec<WordEntry>)>> =
            (0..SHARDS).map(|_| Vec::with_capacity(packed.len())).collect();
        for page in packed.iter_mut() {
            for (k, entries) in page.shards.drain(..).enumerate() {
                by_shard[k].push((page.page_number, entries));
            }
        }
        self.shards
            .par_iter_mut()
            .zip(by_shard)
            .for_each(|(shard, pages)| {
                for (page_number, entries) in pages {
                    for entry in entries {
                        let word = shard.entry(entry.word).or_default();
                        if let Some(share) = entry.page {
                            word.size += share.size;
                            word.pages.push(page_number, &share.tail);
                        }
                        for (form, share) in entry.variants {
                            word.size += share.size;
                            match word.variants.iter_mut().find(|(f, _)| *f == form) {
                                Some((_, list)) => list.push(page_number, &share.tail),
                                None => {
                                    let mut list = PageList::default();
                                    list.push(page_number, &share.tail);
                                    word.variants.push((form, list));
                                }
                            }
                        }
                    }
                }
            });

        for page in packed {
            for (filter, value, page_number) in page.filter_entries {
                self.filter_map
                    .entry(filter)
                    .or_default()
                    .entry(value)
                    .or_default()
                    .push(page_number);
            }
            // The short name of `build_indexes`: the language and 8 hex
            // digits, longer while it collides.
            let mut length = self.language.len() + 8;
            let name = loop {
                let short = &page.full_hash[..length.min(page.full_hash.len())];
                match self.fragment_names.get(short) {
                    Some(full) if *full != page.full_hash && length < page.full_hash.len() => {
                        length += 1
                    }
                    _ => break short.to_string(),
                }
            };
            self.fragment_names
                .insert(name.clone(), page.full_hash.clone());
            self.fragments.push((name, page.word_count, page.fragment));
        }
    }

    /// The index's files, as `build_indexes` makes them: the indexes (with
    /// no fragments) and the fragments, already gzipped, by name.
    pub fn finish(
        self,
        options: &SearchOptions,
        chunk_size: usize,
    ) -> (PagefindIndexes, Vec<(String, Vec<u8>)>) {
        let language = self.language;
        let mut meta = MetaIndex {
            version: options.version.into(),
            pages: Vec::with_capacity(self.fragments.len()),
            index_chunks: Vec::new(),
            filters: Vec::new(),
            sorts: Vec::new(),
            meta_fields: self.meta_fields,
        };
        let values_by_key: BTreeMap<String, Vec<(&str, usize)>> = self
            .sort_values
            .iter()
            .map(|(k, v)| (k.clone(), v.iter().map(|(s, p)| (s.as_str(), *p)).collect()))
            .collect();
        meta.sorts = meta_sorts(&values_by_key, options);
        let sorts: Vec<String> = self.sort_values.keys().cloned().collect();
        drop(values_by_key);

        let page_count = self.fragments.len();
        let mut compressed_fragments = Vec::with_capacity(page_count);
        for (name, word_count, bytes) in self.fragments {
            meta.pages.push(MetaPage {
                hash: name.clone(),
                word_count: word_count as u32,
                group_hash: "".into(),
            });
            compressed_fragments.push((name, bytes));
        }

        let filter_indexes = encode_filters(self.filter_map, &language, &mut meta);

        let mut words: Vec<(String, WordStream)> = self.shards.into_iter().flatten().collect();
        words.par_sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let word_count = words.len();
        let mut chunks: Vec<Vec<(String, WordStream)>> = Vec::new();
        let mut chunk = Vec::new();
        let mut size = 0;
        for (word, stream) in words {
            size += stream.size + stream.variants.len();
            chunk.push((word, stream));
            if size >= chunk_size {
                chunks.push(std::mem::take(&mut chunk));
                size = 0;
            }
        }
        if !chunk.is_empty() {
            chunks.push(chunk);
        }
        meta.index_chunks = chunk_meta_bounds(chunks.iter().map(|c| {
            (
                c.first().map_or(String::new(), |w| w.0.clone()),
                c.last().map_or(String::new(), |w| w.0.clone()),
            )
        }));
        let encoded_chunks: Vec<(usize, Vec<u8>, String)> = chunks
            .into_par_iter()
            .enumerate()
            .map(|(i, chunk)| {
                let mut bytes = Vec::new();
                let mut e = minicbor::Encoder::new(&mut bytes);
                let _ = e.array(1).and_then(|e| e.array(chunk.len() as u64));
                for (word, stream) in &chunk {
                    let _ = e.array(3).and_then(|e| e.str(word));
                    stream.pages.encode(&mut e);
                    let _ = e.array(stream.variants.len() as u64);
                    for (form, list) in &stream.variants {
                        let _ = e.array(2).and_then(|e| e.str(form));
                        list.encode(&mut e);
                    }
                }
                let hash = format!("{}_{}", language, crate::utils::full_hash(&bytes));
                (i, bytes, hash)
            })
            .collect();
        let word_indexes = name_word_chunks(encoded_chunks, &language, &mut meta);
        let meta_index = encode_meta(meta, &language);

        let indexes = PagefindIndexes {
            word_indexes,
            filter_indexes,
            meta_index,
            fragments: Vec::new(),
            sorts,
            language,
            word_count,
            page_count,
        };
        (indexes, compressed_fragments)
    }
}
