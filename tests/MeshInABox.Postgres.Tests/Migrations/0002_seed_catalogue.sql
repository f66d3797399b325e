INSERT INTO catalogue VALUES (1, 'first; with a semicolon'), (2, 'second');
