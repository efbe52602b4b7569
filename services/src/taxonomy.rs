//! The classification tree (Tipo de Caso → Materia → Categoría → Subcategoría) and the list
//! of document types: seeded with a Spanish sample, edited by administrators.

use std::collections::HashSet;

use casia_domain::Lang;
use casia_domain::dto::{DocumentTypeView, Taxonomy, TaxonomyNode};
use casia_domain::model::CaseType;
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryOrder, QuerySelect, Set,
};
use serde::Deserialize;

use crate::entity::{case, document_type, taxonomy_node};
use crate::error::{ServiceError, ServiceResult};

const TAXONOMY_SEED: &str = include_str!("../seed/taxonomy.json");
const DOCUMENT_TYPES_SEED: &str = include_str!("../seed/document_types.json");

#[derive(Deserialize)]
struct SeedTree {
    types: Vec<SeedType>,
}

#[derive(Deserialize)]
struct SeedType {
    code: String,
    subjects: Vec<SeedNode>,
}

#[derive(Deserialize)]
struct SeedNode {
    es: String,
    en: String,
    help_es: String,
    help_en: String,
    #[serde(default)]
    technical: bool,
    #[serde(default, alias = "categories", alias = "subcategories")]
    children: Vec<SeedNode>,
}

#[derive(Deserialize)]
struct SeedDocumentType {
    code: String,
    es: String,
    en: String,
}

/// Loads the sample taxonomy and document types into an empty database (idempotent).
pub async fn seed(db: &impl ConnectionTrait) -> ServiceResult<()> {
    if taxonomy_node::Entity::find().count(db).await? == 0 {
        let tree: SeedTree = serde_json::from_str(TAXONOMY_SEED)
            .map_err(|e| ServiceError::Internal(format!("taxonomy seed: {e}")))?;
        for ty in tree.types {
            let case_type = CaseType::from_code(&ty.code)
                .ok_or_else(|| ServiceError::Internal(format!("unknown case type {}", ty.code)))?;
            insert_level(db, case_type, None, 1, &ty.subjects).await?;
        }
    }
    if document_type::Entity::find().count(db).await? == 0 {
        let types: Vec<SeedDocumentType> = serde_json::from_str(DOCUMENT_TYPES_SEED)
            .map_err(|e| ServiceError::Internal(format!("document types seed: {e}")))?;
        for (i, t) in types.into_iter().enumerate() {
            document_type::ActiveModel {
                code: Set(t.code),
                name_es: Set(t.es),
                name_en: Set(t.en),
                active: Set(true),
                position: Set(i as i32),
                ..Default::default()
            }
            .insert(db)
            .await?;
        }
    }
    Ok(())
}

async fn insert_level(
    db: &impl ConnectionTrait,
    case_type: CaseType,
    parent: Option<i64>,
    depth: i16,
    nodes: &[SeedNode],
) -> ServiceResult<()> {
    for (i, n) in nodes.iter().enumerate() {
        let inserted = taxonomy_node::ActiveModel {
            parent_id: Set(parent),
            case_type: Set(case_type),
            depth: Set(depth),
            name_es: Set(n.es.clone()),
            name_en: Set(n.en.clone()),
            help_es: Set(n.help_es.clone()),
            help_en: Set(n.help_en.clone()),
            technical: Set(n.technical),
            active: Set(true),
            position: Set(i as i32),
            ..Default::default()
        }
        .insert(db)
        .await?;
        if depth < 3 {
            Box::pin(insert_level(
                db,
                case_type,
                Some(inserted.id),
                depth + 1,
                &n.children,
            ))
            .await?;
        }
    }
    Ok(())
}

fn node_view(n: taxonomy_node::Model, lang: Lang, in_use: bool) -> Option<TaxonomyNode> {
    Some(TaxonomyNode {
        id: n.id,
        parent_id: n.parent_id,
        case_type: n.case_type,
        depth: n.depth,
        name: if lang == Lang::En {
            n.name_en
        } else {
            n.name_es
        },
        help: if lang == Lang::En {
            n.help_en
        } else {
            n.help_es
        },
        technical: n.technical,
        active: n.active,
        position: n.position,
        in_use,
    })
}

/// The tree in `lang`, ordered by position; inactive nodes included (pages filter them).
pub async fn load(db: &impl ConnectionTrait, lang: Lang) -> ServiceResult<Taxonomy> {
    let nodes = taxonomy_node::Entity::find()
        .order_by_asc(taxonomy_node::Column::Depth)
        .order_by_asc(taxonomy_node::Column::Position)
        .order_by_asc(taxonomy_node::Column::Id)
        .all(db)
        .await?;
    Ok(Taxonomy {
        nodes: nodes
            .into_iter()
            .filter_map(|n| node_view(n, lang, false))
            .collect(),
    })
}

/// The tree for administrators: marks the nodes that cases use (those are never deleted).
pub async fn load_for_admin(db: &impl ConnectionTrait, lang: Lang) -> ServiceResult<Taxonomy> {
    let mut used = HashSet::new();
    for col in [
        case::Column::SubjectId,
        case::Column::CategoryId,
        case::Column::SubcategoryId,
    ] {
        let ids: Vec<Option<i64>> = case::Entity::find()
            .select_only()
            .column(col)
            .distinct()
            .into_tuple()
            .all(db)
            .await?;
        used.extend(ids.into_iter().flatten());
    }
    let mut tree = load(db, lang).await?;
    for n in &mut tree.nodes {
        n.in_use = used.contains(&n.id);
    }
    Ok(tree)
}

pub async fn document_types(
    db: &impl ConnectionTrait,
    lang: Lang,
) -> ServiceResult<Vec<DocumentTypeView>> {
    Ok(document_type::Entity::find()
        .order_by_asc(document_type::Column::Position)
        .order_by_asc(document_type::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|t| DocumentTypeView {
            id: t.id,
            code: t.code,
            name: if lang == Lang::En {
                t.name_en
            } else {
                t.name_es
            },
            active: t.active,
        })
        .collect())
}

/// Localised name of a node (for lists and receipts).
pub fn node_name(n: &taxonomy_node::Model, lang: Lang) -> String {
    if lang == Lang::En {
        n.name_en.clone()
    } else {
        n.name_es.clone()
    }
}

pub fn document_type_name(t: &document_type::Model, lang: Lang) -> String {
    if lang == Lang::En {
        t.name_en.clone()
    } else {
        t.name_es.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sample_tree_is_large_enough_and_well_formed() {
        let tree: SeedTree = serde_json::from_str(TAXONOMY_SEED).unwrap();
        let codes: Vec<_> = tree.types.iter().map(|t| t.code.as_str()).collect();
        assert_eq!(codes, ["consulta", "incidencia", "tramite"]);
        let subjects: Vec<&SeedNode> = tree.types.iter().flat_map(|t| &t.subjects).collect();
        let categories: Vec<&SeedNode> = subjects.iter().flat_map(|s| &s.children).collect();
        let subcategories: Vec<&SeedNode> = categories.iter().flat_map(|c| &c.children).collect();
        let distinct: HashSet<&str> = subjects.iter().map(|s| s.es.as_str()).collect();
        assert!(distinct.len() >= 6, "{} distinct subjects", distinct.len());
        assert!(categories.len() >= 25, "{} categories", categories.len());
        assert!(
            subcategories.len() >= 60,
            "{} subcategories",
            subcategories.len()
        );
        assert!(categories.iter().all(|c| !c.children.is_empty()));
        assert!(
            subcategories
                .iter()
                .all(|s| !s.help_es.is_empty() && !s.help_en.is_empty())
        );
        let tramite = tree.types.iter().find(|t| t.code == "tramite").unwrap();
        let afiliacion = tramite
            .subjects
            .iter()
            .find(|s| s.es == "Afiliación, Altas y Bajas")
            .unwrap();
        assert!(
            afiliacion
                .children
                .iter()
                .any(|c| c.es == "Bajas trabajadores cuenta ajena")
        );
    }

    #[test]
    fn document_types_end_with_otros() {
        let types: Vec<SeedDocumentType> = serde_json::from_str(DOCUMENT_TYPES_SEED).unwrap();
        assert!(types.len() >= 7);
        assert_eq!(types.last().unwrap().code, "otros");
        assert!(!types[0].es.is_empty() && !types[0].en.is_empty());
    }
}
