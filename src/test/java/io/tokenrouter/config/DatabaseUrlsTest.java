package io.tokenrouter.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DatabaseUrlsTest {

    @Test
    void turnsAPostgresUrlIntoJdbcWithItsCredentialsSplitOff() {
        DatabaseUrls.Jdbc jdbc = DatabaseUrls.toJdbc("postgres://user:pass@host:5432/db?sslmode=require");

        assertThat(jdbc).isEqualTo(new DatabaseUrls.Jdbc("jdbc:postgresql://host:5432/db?sslmode=require",
                Optional.of("user"), Optional.of("pass")));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            postgresql scheme        | postgresql://u:p@db.internal:6543/tr | jdbc:postgresql://db.internal:6543/tr | u      | p
            no port                  | postgres://u:p@db/tr                 | jdbc:postgresql://db/tr               | u      | p
            user without password    | postgres://reader@db:5432/tr         | jdbc:postgresql://db:5432/tr          | reader |
            no credentials           | postgres://db:5432/tr?ssl=true       | jdbc:postgresql://db:5432/tr?ssl=true |        |
            colon in the password    | postgres://u:a:b@db/tr               | jdbc:postgresql://db/tr               | u      | a:b
            percent-encoded password | postgres://u:p%40ss@db/tr            | jdbc:postgresql://db/tr               | u      | p@ss
            """)
    void turnsEveryPostgresFormIntoJdbc(String description, String url, String jdbcUrl, String user, String password) {
        DatabaseUrls.Jdbc jdbc = DatabaseUrls.toJdbc(url);

        assertThat(jdbc.url()).isEqualTo(jdbcUrl);
        assertThat(jdbc.user()).isEqualTo(Optional.ofNullable(user));
        assertThat(jdbc.password()).isEqualTo(Optional.ofNullable(password));
    }

    @Test
    void turnsAPostgresUrlWithAnUnderscoreInTheHostIntoJdbc() {
        DatabaseUrls.Jdbc jdbc = DatabaseUrls.toJdbc("postgres://u:p@my_db:5432/tr");

        assertThat(jdbc).isEqualTo(new DatabaseUrls.Jdbc("jdbc:postgresql://my_db:5432/tr",
                Optional.of("u"), Optional.of("p")));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "jdbc:postgresql://db:5432/tr?user=u&password=p",
            "jdbc:h2:mem:tokenrouter;DB_CLOSE_DELAY=-1",
    })
    void passesJdbcUrlsThrough(String url) {
        assertThat(DatabaseUrls.toJdbc(url)).isEqualTo(new DatabaseUrls.Jdbc(url, Optional.empty(), Optional.empty()));
    }

    @ParameterizedTest(name = "{0} supported: {1}")
    @CsvSource({
            "jdbc:h2:mem:x, true",
            "postgres://db/tr, true",
            "postgresql://db/tr, true",
            "mysql://db/tr, false",
            "db:5432/tr, false",
    })
    void supportsJdbcAndPostgresUrlsOnly(String url, boolean supported) {
        assertThat(DatabaseUrls.isSupported(url)).isEqualTo(supported);
    }

    /** Issue 8 item 10: a database URL in the log never shows its password. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', textBlock = """
            jdbc:postgresql://db:5432/tr?user=tr&password=s3cret&ssl=true | jdbc:postgresql://db:5432/tr?user=***&password=***&ssl=true
            jdbc:postgresql://tr:s3cret@db/tr                             | jdbc:postgresql://***@db/tr
            jdbc:h2:file:/var/lib/tr/tokenrouter;PASSWORD=s3cret;MODE=x    | jdbc:h2:file:/var/lib/tr/tokenrouter;PASSWORD=***;MODE=x
            jdbc:postgresql://db/tr                                       | jdbc:postgresql://db/tr
            """)
    void aUrlForTheLogHasNoCredentials(String url, String logged) {
        assertThat(DatabaseUrls.forLog(url)).isEqualTo(logged).doesNotContain("s3cret");
    }
}
