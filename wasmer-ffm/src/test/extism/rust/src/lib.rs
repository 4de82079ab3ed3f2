//! The Rust PDK test plugin: every `#[plugin_fn]` is an Extism export, () -> i32 (0 = success).
use extism_pdk::*;
use serde::{Deserialize, Serialize};

#[derive(Serialize, ToBytes)]
#[encoding(Json)]
struct VowelCount {
    count: u64,
    total: u64,
    vowels: String,
}

/// Counts the vowels of the input (the set from config "vowels", default aeiouAEIOU), keeping a running total in
/// the var "total".
#[plugin_fn]
pub fn count_vowels(input: String) -> FnResult<VowelCount> {
    let vowels = config::get("vowels")?.unwrap_or_else(|| "aeiouAEIOU".to_string());
    let count = input.chars().filter(|c| vowels.contains(*c)).count() as u64;
    let total = count
        + var::get::<String>("total")?
            .and_then(|t| t.parse::<u64>().ok())
            .unwrap_or(0);
    var::set("total", total.to_string())?;
    info!("counted {} vowels", count);
    Ok(VowelCount { count, total, vowels })
}

#[derive(Deserialize, FromBytes)]
#[encoding(Json)]
struct Greeting {
    name: String,
    age: u32,
}

#[derive(Serialize, ToBytes)]
#[encoding(Json)]
#[serde(rename_all = "camelCase")]
struct Reply {
    message: String,
    next_age: u32,
}

#[plugin_fn]
pub fn greet_json(input: Greeting) -> FnResult<Reply> {
    Ok(Reply { message: format!("Hello, {}!", input.name), next_age: input.age + 1 })
}

#[plugin_fn]
pub fn echo(input: Vec<u8>) -> FnResult<Vec<u8>> {
    Ok(input)
}

#[plugin_fn]
pub fn fail(input: String) -> FnResult<String> {
    Err(WithReturnCode::new(Error::msg(format!("refused: {input}")), 1))
}

#[host_fn("extism:host/user")]
extern "ExtismHost" {
    fn shout(text: String) -> String;
}

#[plugin_fn]
pub fn call_host(input: String) -> FnResult<String> {
    Ok(unsafe { shout(input)? })
}

#[plugin_fn]
pub fn http_get(url: String) -> FnResult<String> {
    let req = HttpRequest::new(&url).with_header("X-Plugin", "rust");
    let res = http::request::<()>(&req, None)?;
    Ok(format!("{} {}", res.status_code(), String::from_utf8_lossy(&res.body())))
}

static mut SPINS: u64 = 0;

#[plugin_fn]
pub fn spin() -> FnResult<()> {
    loop {
        unsafe {
            SPINS = core::ptr::read_volatile(&raw const SPINS) + 1;
        }
    }
}
