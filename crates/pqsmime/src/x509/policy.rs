//! Certificate policy processing (RFC 5280 §6.1.2–§6.1.5, steps (d)–(f), (a)–(b), (h)–(j) and
//! the wrap-up (a), (b), (g)) with the `valid_policy_graph` of RFC 9618, which replaces RFC
//! 5280's tree by a graph with one node per policy and depth, so that the work is polynomial
//! (RFC 9618 §1: the tree can grow exponentially with hostile certificates). Qualifiers are
//! not tracked (they are not an output of pqsmime's validation).
//!
//! The state is driven by [`path`](super::path): [`PolicyState::new`] before the first
//! certificate, [`PolicyState::process`] for each certificate from the one the trust anchor
//! issued down to the end entity, [`PolicyState::prepare_next`] between certificates, and
//! [`PolicyState::finish`] at the end. Errors name the RFC step that failed.

use const_oid::ObjectIdentifier;

use super::ext::{self, ANY_POLICY};
use super::Certificate;
use crate::error::{Error, Result};
use crate::oids;

/// Most nodes the graph may hold over a whole path (a hostile-input limit; real paths have a
/// handful).
pub(crate) const MAX_POLICY_NODES: usize = 4096;
/// Most parent edges the graph may hold over a whole path.
pub(crate) const MAX_POLICY_EDGES: usize = 65_536;

/// The RFC 5280 §6.1.1 policy inputs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PolicyOptions {
    /// user-initial-policy-set; empty means `{anyPolicy}` (any policy is acceptable).
    pub initial_policy_set: Vec<ObjectIdentifier>,
    /// initial-explicit-policy: the path must be valid for at least one policy of the set.
    pub require_explicit_policy: bool,
    /// initial-policy-mapping-inhibit.
    pub inhibit_policy_mapping: bool,
    /// initial-any-policy-inhibit.
    pub inhibit_any_policy: bool,
}

#[derive(Clone, Debug)]
struct Node {
    policy: ObjectIdentifier,
    expected: Vec<ObjectIdentifier>,
    /// Indices into the previous level.
    parents: Vec<usize>,
    alive: bool,
}

fn who(c: &Certificate) -> String {
    c.subject_string()
}

fn fail(step: &str, msg: String) -> Error {
    Error::Certificate(format!(
        "certificate policy processing failed (RFC 5280 {step}): {msg}"
    ))
}

fn name(o: &ObjectIdentifier) -> String {
    if *o == ANY_POLICY {
        "anyPolicy".to_string()
    } else {
        o.to_string()
    }
}

/// The policy state variables of RFC 5280 §6.1.2 (d), (e), (f), (h), (i), (j).
pub(crate) struct PolicyState {
    /// `levels[d]` are the nodes of depth d; `None` once the graph is NULL.
    levels: Option<Vec<Vec<Node>>>,
    explicit_policy: usize,
    policy_mapping: usize,
    inhibit_any_policy: usize,
    /// Who made explicit_policy 0 before the path ended, for messages.
    explicit_set_by: Option<String>,
    nodes: usize,
    edges: usize,
}

impl PolicyState {
    /// §6.1.2 for a path of `n` certificates (the anchor not counted).
    pub fn new(n: usize, opts: &PolicyOptions) -> PolicyState {
        let init = |inhibit: bool| if inhibit { 0 } else { n + 1 };
        PolicyState {
            levels: Some(vec![vec![Node {
                policy: ANY_POLICY,
                expected: vec![ANY_POLICY],
                parents: Vec::new(),
                alive: true,
            }]]),
            explicit_policy: init(opts.require_explicit_policy),
            policy_mapping: init(opts.inhibit_policy_mapping),
            inhibit_any_policy: init(opts.inhibit_any_policy),
            explicit_set_by: opts
                .require_explicit_policy
                .then(|| "the caller (initial-explicit-policy)".to_string()),
            nodes: 1,
            edges: 0,
        }
    }

    fn budget(&mut self, nodes: usize, edges: usize) -> Result<()> {
        self.nodes += nodes;
        self.edges += edges;
        if self.nodes > MAX_POLICY_NODES || self.edges > MAX_POLICY_EDGES {
            return Err(Error::Limit(format!(
                "certificate policy processing needs more than {MAX_POLICY_NODES} policy nodes or {MAX_POLICY_EDGES} edges"
            )));
        }
        Ok(())
    }

    /// §6.1.3 (d), (e), (f) for certificate `i` (1-based) of `n`.
    pub fn process(&mut self, c: &Certificate, i: usize, n: usize) -> Result<()> {
        let policies = match c.extension(&oids::EXT_CERTIFICATE_POLICIES) {
            Some(e) => Some(ext::certificate_policies(&e.value).map_err(|e| {
                fail(
                    "§4.2.1.4",
                    format!(
                        "the certificatePolicies of '{}' cannot be read: {e}",
                        who(c)
                    ),
                )
            })?),
            None => None,
        };
        match (&policies, self.levels.is_some()) {
            (Some(policies), true) => self.add_level(c, policies, i, n)?,
            (None, _) => self.levels = None, // (e)
            (Some(_), false) => {}
        }
        // (f)
        if self.explicit_policy == 0 && self.levels.is_none() {
            let why = if policies.is_none() {
                format!("'{}' has no certificatePolicies extension", who(c))
            } else {
                format!(
                    "none of the policies of '{}' is acceptable under the policies of the certificates above it",
                    who(c)
                )
            };
            return Err(fail(
                "§6.1.3 (f)",
                format!(
                    "an explicit policy is required (by {}), but {why}",
                    self.explicit_set_by.as_deref().unwrap_or("the path")
                ),
            ));
        }
        Ok(())
    }

    /// §6.1.3 (d) (1)–(3).
    fn add_level(
        &mut self,
        c: &Certificate,
        policies: &[ObjectIdentifier],
        i: usize,
        n: usize,
    ) -> Result<()> {
        let Some(levels) = self.levels.as_mut() else {
            return Ok(());
        };
        let prev = levels.last().map(Vec::as_slice).unwrap_or_default();
        let any_parent = prev.iter().position(|p| p.alive && p.policy == ANY_POLICY);
        let mut level: Vec<Node> = Vec::new();
        let mut new_edges = 0usize;
        // (1)
        for p in policies.iter().filter(|p| **p != ANY_POLICY) {
            let parents: Vec<usize> = prev
                .iter()
                .enumerate()
                .filter(|(_, n)| n.alive && n.expected.contains(p))
                .map(|(k, _)| k)
                .collect();
            let parents = if !parents.is_empty() {
                parents
            } else if let Some(a) = any_parent {
                vec![a]
            } else {
                continue;
            };
            new_edges += parents.len();
            level.push(Node {
                policy: *p,
                expected: vec![*p],
                parents,
                alive: true,
            });
        }
        // (2)
        let has_any = policies.contains(&ANY_POLICY);
        if has_any && (self.inhibit_any_policy > 0 || (i < n && c.is_self_issued())) {
            let mut values: Vec<ObjectIdentifier> = Vec::new();
            for node in prev.iter().filter(|n| n.alive) {
                for v in &node.expected {
                    if !values.contains(v) {
                        values.push(*v);
                    }
                }
            }
            for v in values {
                if level.iter().any(|n| n.policy == v) {
                    continue;
                }
                let parents: Vec<usize> = prev
                    .iter()
                    .enumerate()
                    .filter(|(_, n)| n.alive && n.expected.contains(&v))
                    .map(|(k, _)| k)
                    .collect();
                new_edges += parents.len();
                level.push(Node {
                    policy: v,
                    expected: vec![v],
                    parents,
                    alive: true,
                });
            }
        }
        let count = level.len();
        levels.push(level);
        self.budget(count, new_edges)?;
        // (3)
        self.prune();
        Ok(())
    }

    /// Deletes nodes above the deepest level that have no children, repeatedly; the graph
    /// becomes NULL when the root goes.
    fn prune(&mut self) {
        let Some(levels) = self.levels.as_mut() else {
            return;
        };
        if levels.len() < 2 {
            return;
        }
        for d in (0..levels.len() - 1).rev() {
            let (upper, lower) = levels.split_at_mut(d + 1);
            let (Some(this), Some(next)) = (upper.last_mut(), lower.first()) else {
                continue;
            };
            for (k, node) in this.iter_mut().enumerate() {
                if node.alive && !next.iter().any(|c| c.alive && c.parents.contains(&k)) {
                    node.alive = false;
                }
            }
        }
        if !levels
            .first()
            .is_some_and(|root| root.iter().any(|n| n.alive))
        {
            self.levels = None;
        }
    }

    /// §6.1.4 (a), (b), (h), (i), (j): after certificate `i` (< n), before the next one.
    pub fn prepare_next(&mut self, c: &Certificate) -> Result<()> {
        // (a), (b)
        if let Some(e) = c.extension(&oids::EXT_POLICY_MAPPINGS) {
            let mappings = ext::policy_mappings(&e.value).map_err(|e| {
                fail(
                    "§4.2.1.5",
                    format!("the policyMappings of '{}' cannot be read: {e}", who(c)),
                )
            })?;
            if let Some((a, b)) = mappings
                .iter()
                .find(|(a, b)| *a == ANY_POLICY || *b == ANY_POLICY)
            {
                return Err(fail(
                    "§6.1.4 (a)",
                    format!(
                        "CA certificate '{}' maps {} to {} in policyMappings; anyPolicy may not be mapped",
                        who(c),
                        name(a),
                        name(b)
                    ),
                ));
            }
            self.apply_mappings(&mappings)?;
        }
        // (h)
        if !c.is_self_issued() {
            for v in [
                &mut self.explicit_policy,
                &mut self.policy_mapping,
                &mut self.inhibit_any_policy,
            ] {
                *v = v.saturating_sub(1);
            }
        }
        // (i)
        if let Some(e) = c.extension(&oids::EXT_POLICY_CONSTRAINTS) {
            let pc = ext::policy_constraints(&e.value).map_err(|e| {
                fail(
                    "§4.2.1.11",
                    format!("the policyConstraints of '{}' cannot be read: {e}", who(c)),
                )
            })?;
            if let Some(r) = pc.require_explicit_policy {
                let r = usize::try_from(r).unwrap_or(usize::MAX);
                if r < self.explicit_policy {
                    self.explicit_policy = r;
                    self.explicit_set_by = Some(format!("the policyConstraints of '{}'", who(c)));
                }
            }
            if let Some(m) = pc.inhibit_policy_mapping {
                let m = usize::try_from(m).unwrap_or(usize::MAX);
                self.policy_mapping = self.policy_mapping.min(m);
            }
        }
        // (j)
        if let Some(e) = c.extension(&oids::EXT_INHIBIT_ANY_POLICY) {
            let v = ext::inhibit_any_policy(&e.value).map_err(|e| {
                fail(
                    "§4.2.1.14",
                    format!("the inhibitAnyPolicy of '{}' cannot be read: {e}", who(c)),
                )
            })?;
            let v = usize::try_from(v).unwrap_or(usize::MAX);
            self.inhibit_any_policy = self.inhibit_any_policy.min(v);
        }
        Ok(())
    }

    /// §6.1.4 (b) (1) or (2).
    fn apply_mappings(&mut self, mappings: &[(ObjectIdentifier, ObjectIdentifier)]) -> Result<()> {
        let mut issuer_policies: Vec<ObjectIdentifier> = Vec::new();
        for (a, _) in mappings {
            if !issuer_policies.contains(a) {
                issuer_policies.push(*a);
            }
        }
        let mapping_allowed = self.policy_mapping > 0;
        let Some(levels) = self.levels.as_mut() else {
            return Ok(());
        };
        let depth = levels.len() - 1;
        let mut added = 0usize;
        let mut added_edges = 0usize;
        for p in issuer_policies {
            let targets: Vec<ObjectIdentifier> = mappings
                .iter()
                .filter(|(a, _)| *a == p)
                .map(|(_, b)| *b)
                .collect();
            if mapping_allowed {
                let (before, current) = levels.split_at_mut(depth);
                let Some(level) = current.first_mut() else {
                    continue;
                };
                let mut found = false;
                for node in level.iter_mut().filter(|n| n.alive && n.policy == p) {
                    node.expected = targets.clone();
                    found = true;
                }
                if !found {
                    let any_here = level.iter().any(|n| n.alive && n.policy == ANY_POLICY);
                    let any_parent = before.last().and_then(|prev| {
                        prev.iter().position(|n| n.alive && n.policy == ANY_POLICY)
                    });
                    if let (true, Some(parent)) = (any_here, any_parent) {
                        level.push(Node {
                            policy: p,
                            expected: targets,
                            parents: vec![parent],
                            alive: true,
                        });
                        added += 1;
                        added_edges += 1;
                    }
                }
            } else if let Some(level) = levels.last_mut() {
                for node in level.iter_mut().filter(|n| n.policy == p) {
                    node.alive = false;
                }
            }
        }
        self.budget(added, added_edges)?;
        if !mapping_allowed {
            self.prune();
        }
        Ok(())
    }

    /// The wrap-up (§6.1.5 (a), (b), (g)) after the end entity `c`: returns the
    /// user-constrained policy set (containing anyPolicy when every policy of the user's set
    /// is acceptable and the user's set is anyPolicy), or fails when an explicit policy is
    /// required and none remains.
    pub fn finish(
        mut self,
        c: &Certificate,
        opts: &PolicyOptions,
    ) -> Result<Vec<ObjectIdentifier>> {
        // (a)
        self.explicit_policy = self.explicit_policy.saturating_sub(1);
        // (b)
        if let Some(e) = c.extension(&oids::EXT_POLICY_CONSTRAINTS) {
            let pc = ext::policy_constraints(&e.value).map_err(|e| {
                fail(
                    "§4.2.1.11",
                    format!("the policyConstraints of '{}' cannot be read: {e}", who(c)),
                )
            })?;
            if pc.require_explicit_policy == Some(0) {
                self.explicit_policy = 0;
                self.explicit_set_by = Some(format!("the policyConstraints of '{}'", who(c)));
            }
        }
        // (g): the authorities-constrained set, then the intersection with the user's set.
        let authority = self.authority_constrained();
        let user_any =
            opts.initial_policy_set.is_empty() || opts.initial_policy_set.contains(&ANY_POLICY);
        let result: Vec<ObjectIdentifier> = if user_any {
            authority
        } else if authority.contains(&ANY_POLICY) {
            opts.initial_policy_set.clone()
        } else {
            authority
                .into_iter()
                .filter(|p| opts.initial_policy_set.contains(p))
                .collect()
        };
        let graph_null = self.levels.is_none();
        if self.explicit_policy == 0 && (result.is_empty() || graph_null) {
            let why = if graph_null {
                "the path asserts no common certificate policy".to_string()
            } else {
                format!(
                    "none of the acceptable policies ({}) is valid for the path",
                    opts.initial_policy_set
                        .iter()
                        .map(name)
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            return Err(fail(
                "§6.1.5 (g)",
                format!(
                    "an explicit policy is required (by {}), but {why}",
                    self.explicit_set_by.as_deref().unwrap_or("the path")
                ),
            ));
        }
        Ok(result)
    }

    /// The policies of the nodes whose parents are anyPolicy nodes (the valid_policy_node_set
    /// of §6.1.5 (g) (iii)), plus anyPolicy when an anyPolicy node reaches the last level.
    fn authority_constrained(&self) -> Vec<ObjectIdentifier> {
        let Some(levels) = &self.levels else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for d in 1..levels.len() {
            let (Some(prev), Some(level)) = (levels.get(d - 1), levels.get(d)) else {
                continue;
            };
            for node in level.iter().filter(|n| n.alive && n.policy != ANY_POLICY) {
                let under_any = node
                    .parents
                    .iter()
                    .all(|p| prev.get(*p).is_some_and(|q| q.policy == ANY_POLICY));
                if under_any && !out.contains(&node.policy) {
                    out.push(node.policy);
                }
            }
        }
        if levels
            .last()
            .is_some_and(|l| l.iter().any(|n| n.alive && n.policy == ANY_POLICY))
        {
            out.push(ANY_POLICY);
        }
        out
    }
}
