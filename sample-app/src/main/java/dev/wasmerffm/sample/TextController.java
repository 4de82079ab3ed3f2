package dev.wasmerffm.sample;

import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** The text plugin through its Java interface, and what it logged through a bean host function. */
@RestController
public class TextController {

    private final TextPlugin text;
    private final PluginLog log;

    TextController(TextPlugin text, PluginLog log) {
        this.text = text;
        this.log = log;
    }

    /** A slug and a word count. */
    record Slug(String slug, int words) {}

    @PostMapping("/text/slug")
    Slug slug(@RequestBody String title) {
        return new Slug(text.slug(title), text.words(title));
    }

    @GetMapping("/text/log")
    List<String> log() {
        return log.recent();
    }
}
