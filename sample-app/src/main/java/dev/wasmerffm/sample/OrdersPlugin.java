package dev.wasmerffm.sample;

import dev.wasmerffm.spring.boot.annotation.WasmModule;
import java.util.List;

/**
 * The {@code orders} Extism plugin (src/main/extism/rust, written with the Rust PDK) as a Java interface: records in
 * and out as JSON through the application's Jackson mapper.
 */
@WasmModule("orders")
public interface OrdersPlugin {

    /** One line of an order. */
    record Item(String sku, int quantity, long priceCents) {}

    /** An order to classify. */
    record Order(String customer, List<Item> items) {}

    /** What the plugin decided. */
    record Verdict(boolean approved, long totalCents, String reason) {}

    /** Approves the order if its total is within the plugin's configured limit. */
    Verdict classify(Order order);
}
