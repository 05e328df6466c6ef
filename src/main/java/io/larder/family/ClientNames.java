package io.larder.family;

import io.larder.command.CommandError;

/** Client name rules shared by CLIENT SETNAME and HELLO SETNAME. */
final class ClientNames {
    private ClientNames() {}

    /** Redis allows no spaces, newlines or other special characters in names. */
    static void validate(String name) {
        for (int i = 0; i < name.length(); i++) {
            char ch = name.charAt(i);
            if (ch < '!' || ch > '~') {
                throw new CommandError("ERR Client names cannot contain spaces, newlines or special characters.");
            }
        }
    }
}
