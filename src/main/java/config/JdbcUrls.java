package config;

import java.util.regex.Pattern;

/** JDBC URLs as they may be logged: a password given inside the URL is masked. */
public final class JdbcUrls {

    private static final Pattern PASSWORD = Pattern.compile("(?i)(password=)[^&;]*");
    private static final Pattern USER_INFO = Pattern.compile("(//[^/:@]+:)[^@/]*@");

    private JdbcUrls() {
    }

    public static String withoutSecrets(String url) {
        String masked = PASSWORD.matcher(url).replaceAll("$1****");
        return USER_INFO.matcher(masked).replaceAll("$1****@");
    }
}
