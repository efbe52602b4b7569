//! The classification tree (Materia, Categoría, Subcategoría) and document types.

use serde::{Deserialize, Serialize};

use crate::model::CaseType;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaxonomyNode {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub case_type: CaseType,
    /// 1 Materia, 2 Categoría, 3 Subcategoría.
    pub depth: i16,
    pub name: String,
    pub help: String,
    /// For Error/Incidencia: a technical problem of the RED system, which shows
    /// `Ayuda Documentación` (guide §4.1.1).
    pub technical: bool,
    pub active: bool,
    pub position: i32,
    /// Cases use this node (it can then be deactivated but never deleted).
    pub in_use: bool,
}

/// The whole classification tree in the caller's language, active nodes first by position.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Taxonomy {
    pub nodes: Vec<TaxonomyNode>,
}

impl Taxonomy {
    pub fn node(&self, id: i64) -> Option<&TaxonomyNode> {
        self.nodes.iter().find(|n| n.id == id)
    }

    /// Active subjects of a case type.
    pub fn subjects(&self, case_type: CaseType) -> Vec<&TaxonomyNode> {
        self.nodes
            .iter()
            .filter(|n| n.active && n.depth == 1 && n.case_type == case_type)
            .collect()
    }

    /// Active children of a node.
    pub fn children(&self, parent: i64) -> Vec<&TaxonomyNode> {
        self.nodes
            .iter()
            .filter(|n| n.active && n.parent_id == Some(parent))
            .collect()
    }

    /// Checks a chosen path against the tree (see `validation::check_classification`).
    pub fn facts(
        &self,
        case_type: &str,
        subject: Option<i64>,
        category: Option<i64>,
        subcategory: Option<i64>,
    ) -> crate::validation::ClassificationFacts {
        let ty = CaseType::from_code(case_type);
        let fits = |id: Option<i64>, depth: i16, parent: Option<i64>| -> bool {
            id.and_then(|id| self.node(id)).is_some_and(|n| {
                n.active
                    && n.depth == depth
                    && Some(n.case_type) == ty
                    && (depth == 1 || n.parent_id == parent)
            })
        };
        let subject_fits = fits(subject, 1, None);
        let category_fits = subject_fits && fits(category, 2, subject);
        crate::validation::ClassificationFacts {
            subject_fits,
            category_fits,
            subcategory_fits: subcategory.map(|_| category_fits && fits(subcategory, 3, category)),
            category_has_subcategories: category.is_some_and(|c| !self.children(c).is_empty()),
        }
    }

    /// `Ayuda Documentación` is offered for Trámite and for technical Error/Incidencia cases.
    pub fn shows_documentation_help(&self, case_type: CaseType, category: Option<i64>) -> bool {
        match case_type {
            CaseType::Tramite => true,
            CaseType::Incidencia => category
                .and_then(|c| self.node(c))
                .is_some_and(|n| n.technical),
            CaseType::Consulta => false,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentTypeView {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub active: bool,
}
