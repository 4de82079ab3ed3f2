//! The sample app's Extism plugin: an order in, a verdict out, both JSON; the limit comes from the host's config.
use extism_pdk::*;
use serde::{Deserialize, Serialize};

#[derive(Deserialize, FromBytes)]
#[encoding(Json)]
#[serde(rename_all = "camelCase")]
struct Order {
    customer: String,
    items: Vec<Item>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Item {
    sku: String,
    quantity: u32,
    price_cents: u64,
}

#[derive(Serialize, ToBytes)]
#[encoding(Json)]
#[serde(rename_all = "camelCase")]
struct Verdict {
    approved: bool,
    total_cents: u64,
    reason: String,
}

/// Approves an order whose total is within the config "limit-cents" (default 100000); refuses an empty one as an
/// error, which the host sees as a PluginException.
#[plugin_fn]
pub fn classify(order: Order) -> FnResult<Verdict> {
    if order.items.is_empty() {
        return Err(WithReturnCode::new(Error::msg(format!("order of {} has no items", order.customer)), 1));
    }
    let limit = config::get("limit-cents")?
        .and_then(|l| l.parse::<u64>().ok())
        .unwrap_or(100_000);
    let total: u64 = order.items.iter().map(|i| i.price_cents * i.quantity as u64).sum();
    let biggest = order.items.iter().max_by_key(|i| i.price_cents * i.quantity as u64).map(|i| i.sku.as_str());
    info!("order of {}: {} cents", order.customer, total);
    Ok(Verdict {
        approved: total <= limit,
        total_cents: total,
        reason: if total <= limit {
            format!("within the limit of {limit} cents")
        } else {
            format!("over the limit of {limit} cents, mostly {}", biggest.unwrap_or("?"))
        },
    })
}
