package dev.wasmerffm;

/** The type of an import or export: a function, global, table or memory type. */
public sealed interface ExternType permits FuncType, GlobalType, TableType, MemoryType {

    /** Which of the four kinds this is. */
    ExternKind kind();
}
