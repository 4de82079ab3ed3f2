package dev.wasmerffm.spring.boot.test.autoconfigure;

import org.springframework.boot.autoconfigure.SpringBootApplication;

/** The application a slice test finds, as in an application's own tests. */
@SpringBootApplication
class TestApplication {}
