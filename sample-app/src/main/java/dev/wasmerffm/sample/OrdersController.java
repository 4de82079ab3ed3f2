package dev.wasmerffm.sample;

import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** JSON in, JSON out, through the {@code orders} Extism plugin. */
@RestController
public class OrdersController {

    private final OrdersPlugin orders;

    OrdersController(OrdersPlugin orders) {
        this.orders = orders;
    }

    @PostMapping("/orders/classify")
    OrdersPlugin.Verdict classify(@RequestBody OrdersPlugin.Order order) {
        return orders.classify(order);
    }
}
