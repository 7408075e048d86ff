//! MODEL: every deal of the index as it stands, as one `DealRecord` that
//! every surface reads (article deal boxes, the deal page, lists, feeds,
//! exports, search records, in either language).
//!
//! Input: the placed articles and the deals of the index (the declarations
//! of original articles). Output: each deal's id, its figures as declared
//! and as they stand now, its history and coverage; the deals each article
//! shows; one spelling of each party; the model's warnings. Errors: a `ref:`
//! to no deal, one id given to two deals, a translation whose figures are
//! not its original's.
//!
//! The rules, in one place:
//! - **Revisions.** Each field's current value is the one set by the latest
//!   article by date, then path, the declaring article counted at its own
//!   date, before the refs of its own day (they refer to it). A `ref:` dated
//!   before its declaration is earlier coverage: it sets nothing, stays in
//!   the history, and is warned about.
//! - **Translations** word the original's deals in their language (`term`,
//!   `kind`); any figure they give must be the original's, and they declare
//!   no deal of their own.
//! - **Parties** whose names give one slug (case, Unicode form, punctuation)
//!   are one party, named as `site.yaml` declares it, else as the earliest
//!   article (by date, then path) writes it.
//!
//! Nothing here changes an article: what the model derives lives in the
//! records.

use std::collections::HashMap;

use jiff::civil::Date;

use super::{DealRef, Placed};
use crate::article::{Article, Deal, Revision};
use crate::config::Config;
use crate::diag::{Diagnostic, Diagnostics};
use crate::index::{ArticleIdx, DealIdx, DealNo, Idx, IdxVec};
use crate::party::party_slug;
use crate::slug::Slug;

/// A deal of the index as it stands: its declaration, every revision
/// applied, and the articles that cover it.
#[derive(Clone, Debug)]
pub struct DealRecord {
    /// Its id: as declared (`id:`), else `SLUG-N`, its article's slug and its
    /// place among the article's deals, from 1.
    pub id: String,
    /// Where it is declared.
    pub declared: DealRef,
    /// The deal as declared (parties named as the site names them).
    pub original: Deal,
    /// The deal with every revision applied: its current figures.
    pub current: Deal,
    /// The articles that revised it, in order (date, then path), each with
    /// what it set and the deal as it stood after it.
    pub revisions: Vec<Applied>,
    /// `ref:` entries dated before the declaration: earlier coverage, which
    /// sets nothing (oldest first).
    pub earlier: Vec<(ArticleIdx, Revision)>,
    /// Every article that reports or covers it, translations included,
    /// newest first.
    pub coverage: Vec<ArticleIdx>,
}

/// A revision applied to a deal.
#[derive(Clone, Debug)]
pub struct Applied {
    /// The revising article.
    pub article: ArticleIdx,
    /// What it set (parties named as the site names them).
    pub revision: Revision,
    /// The deal as it stood after it.
    pub after: Deal,
}

/// When a revised deal changed after an article reported it: the latest
/// revision since.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RevisedSince {
    /// The article of the latest revision.
    pub article: ArticleIdx,
}

/// What the model derives of the deals.
#[derive(Clone, Debug)]
pub struct Records {
    /// Each deal of the index.
    pub records: IdxVec<DealIdx, DealRecord>,
    /// The deals each article shows, in the order it gives them (a
    /// translation shows its original's).
    pub shown: IdxVec<ArticleIdx, Vec<DealIdx>>,
    /// The deals each article's body shows as cards (`{{ deal(id=…) }}`),
    /// in the order of its embeds: its page depends on their records.
    pub cards: IdxVec<ArticleIdx, Vec<DealIdx>>,
    /// Warnings: earlier refs, one party written two ways.
    pub warnings: Vec<Diagnostic>,
}

/// The order of revisions: an article's date, then its path.
type Key<'a> = (Date, &'a str);

fn key(p: &Placed) -> Key<'_> {
    (p.article.date, p.article.source_path.as_str())
}

/// A deal's id: as declared, else its article's slug and its place among
/// the article's deals, from 1 (`openai-aws-1`).
pub fn deal_id(article: &Article, n: DealNo) -> String {
    article.deals[n.get()]
        .id
        .clone()
        .unwrap_or_else(|| format!("{}-{}", article.slug, n.get() + 1))
}

impl DealRecord {
    /// The deal as the article `o` (an original) reported it: as declared
    /// for the declaring article, else as it stood after the revisions up
    /// to `o` (by date, then path).
    fn reported_by(&self, o: ArticleIdx, articles: &IdxVec<ArticleIdx, Placed>) -> &Deal {
        if o == self.declared.article {
            return &self.original;
        }
        let at = key(&articles[o]);
        self.revisions
            .iter()
            .rev()
            .find(|a| key(&articles[a.article]) <= at)
            .map_or(&self.original, |a| &a.after)
    }

    /// The latest revision after the article `i` (a translation counts at
    /// its original's place) when the deal changed since that article
    /// reported it.
    pub fn revised_since(
        &self,
        i: ArticleIdx,
        articles: &IdxVec<ArticleIdx, Placed>,
    ) -> Option<RevisedSince> {
        let reported = self.reported_by(original_of(i, articles), articles);
        let last = self.revisions.last()?;
        (reported != &self.current).then_some(RevisedSince {
            article: last.article,
        })
    }

    /// The deal as the article `i` shows it: the current figures, worded in
    /// a translation's own `kind` and `term` where it restates the deal and
    /// the term was not revised since.
    pub fn shown_in(&self, i: ArticleIdx, articles: &IdxVec<ArticleIdx, Placed>) -> Deal {
        let mut deal = self.current.clone();
        let p = &articles[i];
        if !p.is_translation {
            return deal;
        }
        let o = original_of(i, articles);
        if self.declared.article != o {
            return deal;
        }
        if let Some(restated) = p.article.deals.get(self.declared.deal.get()) {
            if restated.kind.is_some() {
                deal.kind = restated.kind.clone();
            }
            if restated.term.is_some() && self.reported_by(o, articles).term == self.current.term {
                deal.term = restated.term.clone();
            }
        }
        deal
    }
}

/// The original of a translation, else the article itself.
pub fn original_of(i: ArticleIdx, articles: &IdxVec<ArticleIdx, Placed>) -> ArticleIdx {
    let p = &articles[i];
    if p.is_translation {
        p.translations
            .first()
            .copied()
            .filter(|&o| !articles[o].is_translation)
            .unwrap_or(i)
    } else {
        i
    }
}

/// Each deal's record, the deals each article shows and the model's
/// warnings; or the errors: a `ref:` to no deal, an id given to two deals,
/// a translation that gives other figures than its original.
pub fn derive(
    config: &Config,
    articles: &IdxVec<ArticleIdx, Placed>,
    deals: &IdxVec<DealIdx, DealRef>,
) -> Result<Records, Diagnostics> {
    let mut errors = Diagnostics::new();
    let mut warnings = Vec::new();
    let names = PartyNames::of(config, articles, &mut warnings);
    let mut records: IdxVec<DealIdx, DealRecord> = deals
        .iter()
        .map(|r| {
            let p = &articles[r.article];
            let deal = names.deal(&p.article.deals[r.deal.get()]);
            let mut coverage = vec![r.article];
            coverage.extend(&p.translations);
            DealRecord {
                id: deal_id(&p.article, r.deal),
                declared: *r,
                current: deal.clone(),
                original: deal,
                revisions: Vec::new(),
                earlier: Vec::new(),
                coverage,
            }
        })
        .collect();
    let by_id = ids(articles, deals, &records, &mut errors);
    let mut shown: IdxVec<ArticleIdx, Vec<DealIdx>> = articles.iter().map(|_| Vec::new()).collect();
    for (k, r) in deals.iter_enumerated() {
        shown[r.article].push(k);
    }
    let mut revisions: Vec<(DealIdx, ArticleIdx, &Revision)> = Vec::new();
    for (i, p) in articles.iter_enumerated() {
        for rev in &p.article.refs {
            let Some(&k) = by_id.get(rev.target.as_str()) else {
                errors.push(
                    Diagnostic::error(
                        &p.article.source_path,
                        format!(
                            "no published article declares a deal with the id `{}`",
                            rev.target
                        ),
                    )
                    .at_opt(rev.position)
                    .field(&rev.field),
                );
                continue;
            };
            // A translation covers the deal; its original revises it.
            if rev.revises() && !p.is_translation {
                revisions.push((k, i, rev));
            }
            if !shown[i].contains(&k) {
                shown[i].push(k);
            }
            records[k].coverage.push(i);
            records[k].coverage.extend(&p.translations);
        }
    }
    check_translations(articles, &by_id, &names, &mut errors);
    let cards = cards(articles, &by_id, &mut errors);
    if !errors.is_empty() {
        return Err(errors.sorted());
    }
    revisions.sort_by(|a, b| key(&articles[a.1]).cmp(&key(&articles[b.1])));
    for (k, i, rev) in revisions {
        let rev = names.revision(rev);
        let record = &mut records[k];
        let declaring = &articles[deals[k].article];
        // A ref of the declaration's own day follows it (it refers to it);
        // one dated before it is earlier coverage.
        if articles[i].article.date < declaring.article.date {
            warnings.push(earlier_warning(&articles[i].article, &rev, declaring));
            record.earlier.push((i, rev));
            continue;
        }
        let current = &mut record.current;
        if let Some((amount, value)) = rev.amount {
            current.amount = amount;
            current.reporting_value = value;
        }
        if let Some(status) = rev.status {
            current.status = status;
        }
        if let Some(term) = &rev.term {
            current.term = Some(term.clone());
        }
        if let Some(parties) = &rev.parties {
            current.parties = parties.clone();
        }
        let after = current.clone();
        record.revisions.push(Applied {
            article: i,
            revision: rev,
            after,
        });
    }
    for record in records.iter_mut() {
        // Articles are numbered newest first.
        record.coverage.sort_unstable();
        record.coverage.dedup();
    }
    // A translation shows its original's deals, then any other it covers.
    for (i, p) in articles.iter_enumerated() {
        let o = original_of(i, articles);
        if p.is_translation && o != i {
            let mut list = shown[o].clone();
            list.extend(shown[i].iter().filter(|k| !shown[o].contains(k)));
            shown[i] = list;
        }
    }
    Ok(Records {
        records,
        shown,
        cards,
        warnings,
    })
}

/// The deal of each card embed, by article; an unknown id is an error at
/// the embed's line.
fn cards(
    articles: &IdxVec<ArticleIdx, Placed>,
    by_id: &HashMap<String, DealIdx>,
    errors: &mut Diagnostics,
) -> IdxVec<ArticleIdx, Vec<DealIdx>> {
    articles
        .iter()
        .map(|p| {
            let a = &p.article;
            a.card_ids()
                .filter_map(|(id, line, col)| {
                    let found = by_id.get(id).copied();
                    if found.is_none() {
                        errors.push(
                            Diagnostic::error(
                                &a.source_path,
                                format!(
                                    "no published article declares a deal with the id `{id}`: the deal card cannot be made"
                                ),
                            )
                            .at(line + a.body_line - 1, col),
                        );
                    }
                    found
                })
                .collect()
        })
        .collect()
}

/// The deals by id; an id given to two deals is an error at the second.
fn ids(
    articles: &IdxVec<ArticleIdx, Placed>,
    deals: &IdxVec<DealIdx, DealRef>,
    records: &IdxVec<DealIdx, DealRecord>,
    errors: &mut Diagnostics,
) -> HashMap<String, DealIdx> {
    let mut by_id: HashMap<String, DealIdx> = HashMap::new();
    for (k, record) in records.iter_enumerated() {
        let Some(&first) = by_id.get(record.id.as_str()) else {
            by_id.insert(record.id.clone(), k);
            continue;
        };
        // Named in path order; the error is placed at the second's `id:`.
        let declared = |k: DealIdx| &articles[deals[k].article].article.deals[deals[k].deal.get()];
        let path = |k: DealIdx| articles[deals[k].article].article.source_path.as_str();
        let (one, two) = if path(first) <= path(k) {
            (first, k)
        } else {
            (k, first)
        };
        let how = if declared(one).id.is_some() && declared(two).id.is_some() {
            ""
        } else {
            " (a deal without `id:` is named after its article's slug and its place in it)"
        };
        let mut d = Diagnostic::error(
            path(two),
            format!(
                "two deals have the id `{}`: in {} and in {}{how}",
                record.id,
                path(one),
                path(two)
            ),
        );
        if let Some((field, at)) = &declared(two).id_at {
            d = d.at_opt(*at).field(field);
        }
        errors.push(d);
    }
    by_id
}

fn earlier_warning(article: &Article, rev: &Revision, declaring: &Placed) -> Diagnostic {
    Diagnostic::warning(
        &article.source_path,
        format!(
            "this `ref:` to `{}` is dated before the article that declares the deal ({}, {}): the latest article wins, so it sets nothing and stays in the deal's history as earlier coverage",
            rev.target, declaring.article.source_path, declaring.article.date
        ),
    )
    .at_opt(rev.position)
    .field(&rev.field)
}

/// A translation's deals are its original's: any figure it restates must be
/// the same, and it declares none of its own. Errors name both files.
fn check_translations(
    articles: &IdxVec<ArticleIdx, Placed>,
    by_id: &HashMap<String, DealIdx>,
    names: &PartyNames,
    errors: &mut Diagnostics,
) {
    for (i, p) in articles.iter_enumerated() {
        let o = original_of(i, articles);
        if !p.is_translation || o == i {
            continue;
        }
        let (t, original) = (&p.article, &articles[o].article);
        let mismatch = |field: String, at, what: &str, theirs: String| {
            Diagnostic::error(
                &t.source_path,
                format!(
                    "a translation gives its original's figures: {what} differs from {} ({theirs}); word `term` and `kind` in this language, and revise figures in an article of its own with `ref:`",
                    original.source_path
                ),
            )
            .at_opt(at)
            .field(&field)
        };
        for (n, deal) in t.deals.iter().enumerate() {
            let Some(theirs) = original.deals.get(n) else {
                errors.push(
                    Diagnostic::error(
                        &t.source_path,
                        format!(
                            "a translation declares no deal of its own: {} declares {} deal(s), this file {}; report a new deal in an article of its own",
                            original.source_path,
                            original.deals.len(),
                            t.deals.len()
                        ),
                    )
                    .at_opt(deal.at.1)
                    .field(&deal.at.0),
                );
                continue;
            };
            let field = |f: &str| format!("{}.{f}", deal.at.0);
            let (ours, theirs) = (names.deal(deal), names.deal(theirs));
            for (f, same, shown) in [
                (
                    "amount",
                    ours.amount == theirs.amount,
                    crate::money::format::amount(&theirs.amount, original.lang),
                ),
                (
                    "parties",
                    party_set(&ours.parties) == party_set(&theirs.parties),
                    theirs.parties.join(", "),
                ),
                ("date", ours.date == theirs.date, theirs.date.to_string()),
                (
                    "status",
                    ours.status == theirs.status,
                    theirs.status.as_str().to_string(),
                ),
                (
                    "id",
                    ours.id.is_none() || ours.id == theirs.id,
                    theirs.id.clone().unwrap_or_default(),
                ),
            ] {
                if !same {
                    errors.push(mismatch(field(f), deal.at.1, &format!("its `{f}`"), shown));
                }
            }
        }
        for rev in &t.refs {
            if !rev.revises() {
                continue;
            }
            let theirs = original.refs.iter().find(|r| r.target == rev.target);
            let same = theirs.is_some_and(|r| {
                let (a, b) = (names.revision(rev), names.revision(r));
                a.amount.map(|x| x.0) == b.amount.map(|x| x.0)
                    && a.status == b.status
                    && a.parties.as_deref().map(party_set) == b.parties.as_deref().map(party_set)
            });
            if !same && by_id.contains_key(rev.target.as_str()) {
                let what = format!("what it sets of `{}`", rev.target);
                let theirs = match theirs {
                    Some(_) => "another figure".to_string(),
                    None => "no revision there".to_string(),
                };
                errors.push(mismatch(rev.field.clone(), rev.position, &what, theirs));
            }
        }
    }
}

/// Parties compared as one set of party slugs.
fn party_set(parties: &[String]) -> Vec<Option<Slug>> {
    let mut set: Vec<Option<Slug>> = parties.iter().map(|p| party_slug(p)).collect();
    set.sort_unstable();
    set
}

/// One spelling per party: the name `site.yaml` declares, else the one the
/// earliest article (by date, then path) writes.
struct PartyNames {
    by_slug: HashMap<Slug, String>,
}

impl PartyNames {
    fn of(
        config: &Config,
        articles: &IdxVec<ArticleIdx, Placed>,
        warnings: &mut Vec<Diagnostic>,
    ) -> PartyNames {
        let mut order: Vec<&Placed> = articles.iter().collect();
        order.sort_by(|a, b| key(a).cmp(&key(b)));
        // Every name as written, where: (name, path, position, field).
        type Seen<'a> = (&'a str, &'a str, Option<(usize, usize)>, String);
        let mut seen: Vec<(Slug, Seen)> = Vec::new();
        for p in &order {
            let a = &p.article;
            let written = a
                .deals
                .iter()
                .map(|d| (&d.parties, d.at.1, format!("{}.parties", d.at.0)))
                .chain(a.refs.iter().filter_map(|r| {
                    let field = r.field.trim_end_matches(".ref");
                    r.parties
                        .as_ref()
                        .map(|ps| (ps, r.position, format!("{field}.parties")))
                }));
            for (parties, at, field) in written {
                for name in parties {
                    if let Some(slug) = party_slug(name) {
                        seen.push((slug, (name, &a.source_path, at, field.clone())));
                    }
                }
            }
        }
        let mut by_slug: HashMap<Slug, String> = HashMap::new();
        let mut first_path: HashMap<Slug, &str> = HashMap::new();
        // A declared name is the party's, however articles write it.
        for name in config.parties.canonical_names() {
            if let Some(slug) = party_slug(name) {
                by_slug.insert(slug, name.to_string());
            }
        }
        for (slug, (name, path, _, _)) in &seen {
            if !by_slug.contains_key(slug) {
                by_slug.insert(slug.clone(), name.to_string());
                first_path.insert(slug.clone(), path);
            }
        }
        let mut warned: std::collections::HashSet<(&str, &str)> = Default::default();
        for (slug, (name, path, at, field)) in &seen {
            let canonical = &by_slug[slug];
            if *name != canonical && warned.insert((path, name)) {
                let whence = if config.parties.declares(canonical) {
                    "as site.yaml declares it".to_string()
                } else {
                    format!("as {} first wrote it", first_path[slug])
                };
                warnings.push(
                    Diagnostic::warning(
                        *path,
                        format!(
                            "`{name}` and `{canonical}` are one party: it is shown as `{canonical}` ({whence}); write it one way, or declare it in site.yaml"
                        ),
                    )
                    .at_opt(*at)
                    .field(field),
                );
            }
        }
        PartyNames { by_slug }
    }

    fn name(&self, written: &str) -> String {
        party_slug(written)
            .and_then(|s| self.by_slug.get(&s).cloned())
            .unwrap_or_else(|| written.to_string())
    }

    fn names(&self, written: &[String]) -> Vec<String> {
        written.iter().map(|n| self.name(n)).collect()
    }

    fn deal(&self, deal: &Deal) -> Deal {
        Deal {
            parties: self.names(&deal.parties),
            ..deal.clone()
        }
    }

    fn revision(&self, rev: &Revision) -> Revision {
        Revision {
            parties: rev.parties.as_deref().map(|p| self.names(p)),
            ..rev.clone()
        }
    }
}
