<?php
/**
 * Writes the plugin's translation template, wpplugin/languages/sell-my-images.pot,
 * from its PHP sources (WP-CLI's `wp i18n make-pot` is not available here).
 *
 * Usage: php scripts/wp/make-pot.php [--check] [plugin-dir]
 *
 * Extracts the gettext calls of WordPress (__, _e, _x, _ex, _n, _nx, _n_noop,
 * _nx_noop, esc_html__, esc_html_e, esc_html_x, esc_attr__, esc_attr_e,
 * esc_attr_x) whose text domain is `sell-my-images`, with PHP's tokenizer,
 * and the plugin header's name, URI, description and author. A comment
 * holding "translators:" that ends on the line of the call or the line
 * before it is kept as the entry's extracted comment, as WP-CLI does.
 * Strings built at run time (variables, calls) cannot be translated and are
 * reported as errors. tests/ is not scanned.
 *
 * --check writes nothing and exits 1 when the committed file's strings,
 * contexts, plurals or comments differ from the sources' (the creation date
 * and the file:line references aside, so moving code does not fail it).
 * Without --check the file is rewritten only when more than its date changed.
 *
 * @package SellMyImages
 */

// phpcs:disable WordPress -- a build script run outside WordPress, not plugin code.

const SMI_POT_DOMAIN = 'sell-my-images';

/**
 * Gettext functions: name => the meaning of each argument position.
 */
const SMI_POT_KEYWORDS = array(
	'__'         => array( 'text', 'domain' ),
	'_e'         => array( 'text', 'domain' ),
	'esc_html__' => array( 'text', 'domain' ),
	'esc_html_e' => array( 'text', 'domain' ),
	'esc_attr__' => array( 'text', 'domain' ),
	'esc_attr_e' => array( 'text', 'domain' ),
	'_x'         => array( 'text', 'context', 'domain' ),
	'_ex'        => array( 'text', 'context', 'domain' ),
	'esc_html_x' => array( 'text', 'context', 'domain' ),
	'esc_attr_x' => array( 'text', 'context', 'domain' ),
	'_n'         => array( 'single', 'plural', 'number', 'domain' ),
	'_nx'        => array( 'single', 'plural', 'number', 'context', 'domain' ),
	'_n_noop'    => array( 'single', 'plural', 'domain' ),
	'_nx_noop'   => array( 'single', 'plural', 'context', 'domain' ),
);

/**
 * The value of a PHP string literal token.
 *
 * @param string $token The literal as written, quotes included.
 * @return string
 */
function smi_pot_literal( string $token ): string {
	$quote = $token[0];
	$body  = substr( $token, 1, -1 );
	if ( "'" === $quote ) {
		return strtr( $body, array( '\\\\' => '\\', "\\'" => "'" ) );
	}
	return stripcslashes( str_replace( '\\$', '$', $body ) );
}

/**
 * The gettext calls of one PHP source.
 *
 * @param string $source PHP source.
 * @param string $file   Its path relative to the plugin folder, for references.
 * @return array{0: array[], 1: string[]} Entries (context, text, plural, comment, line), errors.
 */
function smi_pot_scan( string $source, string $file ): array {
	$tokens  = token_get_all( $source );
	$entries = array();
	$errors  = array();
	$comment = null; // Null, or the last comment's text and end line.
	$count   = count( $tokens );
	for ( $i = 0; $i < $count; $i++ ) {
		$token = $tokens[ $i ];
		if ( ! is_array( $token ) ) {
			continue;
		}
		if ( T_COMMENT === $token[0] || T_DOC_COMMENT === $token[0] ) {
			if ( false !== stripos( $token[1], 'translators:' ) ) {
				$comment = array( smi_pot_comment_text( $token[1] ), $token[2] + substr_count( $token[1], "\n" ) );
			}
			continue;
		}
		if ( T_STRING !== $token[0] || ! isset( SMI_POT_KEYWORDS[ $token[1] ] ) ) {
			continue;
		}
		// A method or a function definition with the same name is not a call to it.
		$prev = smi_pot_skip( $tokens, $i, -1 );
		if ( null !== $prev && is_array( $tokens[ $prev ] ) && in_array( $tokens[ $prev ][0], array( T_OBJECT_OPERATOR, T_DOUBLE_COLON, T_FUNCTION, T_NEW ), true ) ) {
			continue;
		}
		$open = smi_pot_skip( $tokens, $i, 1 );
		if ( null === $open || '(' !== $tokens[ $open ] ) {
			continue;
		}
		list( $args, $end ) = smi_pot_arguments( $tokens, $open );
		$line               = $token[2];
		$roles              = SMI_POT_KEYWORDS[ $token[1] ];
		$values             = array();
		foreach ( $roles as $pos => $role ) {
			if ( 'number' === $role ) {
				continue;
			}
			$values[ $role ] = smi_pot_constant( $args[ $pos ] ?? array() );
		}
		$i = $open;
		if ( SMI_POT_DOMAIN !== $values['domain'] ) {
			continue;
		}
		$text = $values['text'] ?? $values['single'];
		if ( null === $text || ( array_key_exists( 'plural', $values ) && null === $values['plural'] ) || ( array_key_exists( 'context', $values ) && null === $values['context'] ) ) {
			$errors[] = sprintf( '%s:%d: %s() needs literal strings to be translatable', $file, $line, $token[1] );
			continue;
		}
		$entries[] = array(
			'context' => $values['context'] ?? null,
			'text'    => $text,
			'plural'  => $values['plural'] ?? null,
			'comment' => null !== $comment && $line - $comment[1] <= 1 && $line >= $comment[1] ? $comment[0] : null,
			'line'    => $line,
		);
		if ( preg_match( '/%(\d+\$)?[sdfu]/', $text ) && ( null === $entries[ count( $entries ) - 1 ]['comment'] ) ) {
			$errors[] = sprintf( '%s:%d: "%s" has placeholders but no translators: comment', $file, $line, $text );
		}
	}
	return array( $entries, $errors );
}

/**
 * Index of the next (or previous) token that is not whitespace or a comment.
 *
 * @param array $tokens Tokens of token_get_all().
 * @param int   $i      Index to start from (not included).
 * @param int   $step   1 to look forward, -1 backward.
 * @return int|null Null when there is none.
 */
function smi_pot_skip( array $tokens, int $i, int $step ): ?int {
	$count = count( $tokens );
	for ( $j = $i + $step; $j >= 0 && $j < $count; $j += $step ) {
		if ( is_array( $tokens[ $j ] ) && in_array( $tokens[ $j ][0], array( T_WHITESPACE, T_COMMENT, T_DOC_COMMENT ), true ) ) {
			continue;
		}
		return $j;
	}
	return null;
}

/**
 * The arguments of a call: each a list of tokens (whitespace and comments
 * dropped), split on commas at depth 0.
 *
 * @param array $tokens Tokens of token_get_all().
 * @param int   $open   Index of the opening parenthesis.
 * @return array{0: array[], 1: int} Arguments, index of the closing parenthesis.
 */
function smi_pot_arguments( array $tokens, int $open ): array {
	$args  = array( array() );
	$depth = 0;
	$count = count( $tokens );
	for ( $j = $open + 1; $j < $count; $j++ ) {
		$t = $tokens[ $j ];
		if ( is_array( $t ) && in_array( $t[0], array( T_WHITESPACE, T_COMMENT, T_DOC_COMMENT ), true ) ) {
			continue;
		}
		$text = is_array( $t ) ? $t[1] : $t;
		if ( in_array( $text, array( '(', '[', '{' ), true ) || ( is_array( $t ) && in_array( $t[0], array( T_CURLY_OPEN, T_DOLLAR_OPEN_CURLY_BRACES ), true ) ) ) {
			++$depth;
		} elseif ( in_array( $text, array( ')', ']', '}' ), true ) ) {
			if ( 0 === $depth && ')' === $text ) {
				return array( $args, $j );
			}
			--$depth;
		} elseif ( ',' === $text && 0 === $depth ) {
			$args[] = array();
			continue;
		}
		$args[ count( $args ) - 1 ][] = $t;
	}
	return array( $args, $j );
}

/**
 * The string an argument is, when made only of literals joined with '.', else null.
 *
 * @param array $arg The argument's tokens.
 * @return string|null
 */
function smi_pot_constant( array $arg ): ?string {
	if ( ! $arg ) {
		return null;
	}
	$out    = '';
	$expect = true;
	foreach ( $arg as $t ) {
		if ( $expect && is_array( $t ) && T_CONSTANT_ENCAPSED_STRING === $t[0] ) {
			$out   .= smi_pot_literal( $t[1] );
			$expect = false;
		} elseif ( ! $expect && '.' === $t ) {
			$expect = true;
		} else {
			return null;
		}
	}
	return $expect ? null : $out;
}

/**
 * A comment's text from "translators:" on, on one line.
 *
 * @param string $comment The comment as written.
 * @return string
 */
function smi_pot_comment_text( string $comment ): string {
	$text = preg_replace( '#^/\*+|\*+/$|^//#', '', trim( $comment ) );
	$text = preg_replace( '/^\s*\*\s?/m', '', $text );
	$text = trim( preg_replace( '/\s+/', ' ', $text ) );
	$at   = stripos( $text, 'translators:' );
	return substr( $text, $at );
}

/**
 * A PO string: quoted and escaped; long or multi-line texts split after "\n".
 *
 * @param string $text Text.
 * @return string
 */
function smi_pot_quote( string $text ): string {
	$escape = static function ( string $s ): string {
		return '"' . strtr( $s, array( '\\' => '\\\\', '"' => '\\"', "\n" => '\\n', "\t" => '\\t', "\r" => '\\r' ) ) . '"';
	};
	if ( false === strpos( rtrim( $text, "\n" ), "\n" ) ) {
		return $escape( $text );
	}
	$parts = preg_split( '/(?<=\n)/', $text, -1, PREG_SPLIT_NO_EMPTY );
	return "\"\"\n" . implode( "\n", array_map( $escape, $parts ) );
}

/**
 * The plugin header's translatable fields.
 *
 * @param string $main Source of the plugin's main file.
 * @return string[] Field name => value.
 */
function smi_pot_headers( string $main ): array {
	$out = array();
	foreach ( array( 'Plugin Name', 'Plugin URI', 'Description', 'Author', 'Author URI' ) as $field ) {
		if ( preg_match( '/^[ \t\/*#@]*' . preg_quote( $field, '/' ) . ':(.*)$/mi', $main, $m ) && '' !== trim( $m[1] ) ) {
			$out[ $field ] = trim( $m[1] );
		}
	}
	return $out;
}

/**
 * The whole .pot for a plugin folder.
 *
 * @param string $dir  Plugin folder.
 * @param string $date POT-Creation-Date.
 * @return array{0: string, 1: string[]} The file, errors.
 */
function smi_pot_build( string $dir, string $date ): array {
	$main    = (string) file_get_contents( $dir . '/sell-my-images.php' );
	$headers = smi_pot_headers( $main );
	preg_match( '/^[ \t\/*#@]*Version:\s*(\S+)/mi', $main, $v );
	$files = array_merge( glob( $dir . '/*.php' ), glob( $dir . '/includes/*.php' ) );
	sort( $files );

	$entries = array();
	$errors  = array();
	foreach ( $headers as $field => $value ) {
		$entries[ "\x04" . $value ]               = $entries[ "\x04" . $value ] ?? array(
			'context'  => null,
			'text'     => $value,
			'plural'   => null,
			'comments' => array(),
			'refs'     => array(),
		);
		$entries[ "\x04" . $value ]['comments'][] = $field . ' of the plugin';
	}
	foreach ( $files as $path ) {
		$file = substr( $path, strlen( $dir ) + 1 );

		list( $found, $err ) = smi_pot_scan( (string) file_get_contents( $path ), $file );

		$errors = array_merge( $errors, $err );
		foreach ( $found as $e ) {
			$key = (string) $e['context'] . "\x04" . $e['text'];
			if ( ! isset( $entries[ $key ] ) ) {
				$entries[ $key ] = array(
					'context'  => $e['context'],
					'text'     => $e['text'],
					'plural'   => $e['plural'],
					'comments' => array(),
					'refs'     => array(),
				);
			}
			$entries[ $key ]['refs'][] = $file . ':' . $e['line'];
			if ( null !== $e['comment'] && ! in_array( $e['comment'], $entries[ $key ]['comments'], true ) ) {
				$entries[ $key ]['comments'][] = $e['comment'];
			}
			if ( null !== $e['plural'] ) {
				$entries[ $key ]['plural'] = $e['plural'];
			}
		}
	}

	$out  = "# Copyright (C) Sell My Images\n";
	$out .= "# This file is distributed under the GPLv2 or later.\n";
	$out .= "msgid \"\"\nmsgstr \"\"\n";
	$out .= '"Project-Id-Version: ' . ( $headers['Plugin Name'] ?? 'Sell My Images' ) . ' ' . ( $v[1] ?? '' ) . "\\n\"\n";
	$out .= "\"Report-Msgid-Bugs-To: https://github.com/sell-my-images/smi/issues\\n\"\n";
	$out .= "\"MIME-Version: 1.0\\n\"\n";
	$out .= "\"Content-Type: text/plain; charset=UTF-8\\n\"\n";
	$out .= "\"Content-Transfer-Encoding: 8bit\\n\"\n";
	$out .= '"POT-Creation-Date: ' . $date . "\\n\"\n";
	$out .= "\"PO-Revision-Date: YEAR-MO-DA HO:MI+ZONE\\n\"\n";
	$out .= "\"Language-Team: LANGUAGE <LL@li.org>\\n\"\n";
	$out .= "\"X-Generator: scripts/wp/make-pot.php\\n\"\n";
	$out .= '"X-Domain: ' . SMI_POT_DOMAIN . "\\n\"\n";
	foreach ( $entries as $e ) {
		$out .= "\n";
		foreach ( $e['comments'] as $comment ) {
			$out .= '#. ' . $comment . "\n";
		}
		if ( $e['refs'] ) {
			$out .= '#: ' . implode( ' ', $e['refs'] ) . "\n";
		}
		if ( null !== $e['context'] ) {
			$out .= 'msgctxt ' . smi_pot_quote( $e['context'] ) . "\n";
		}
		$out .= 'msgid ' . smi_pot_quote( $e['text'] ) . "\n";
		if ( null !== $e['plural'] ) {
			$out .= 'msgid_plural ' . smi_pot_quote( $e['plural'] ) . "\n";
			$out .= "msgstr[0] \"\"\nmsgstr[1] \"\"\n";
		} else {
			$out .= "msgstr \"\"\n";
		}
	}
	return array( $out, $errors );
}

if ( 'cli' === PHP_SAPI && realpath( $argv[0] ) === __FILE__ ) {
	$check  = in_array( '--check', $argv, true );
	$rest   = array_values( array_filter( array_slice( $argv, 1 ), fn( $a ) => '--check' !== $a ) );
	$dir    = rtrim( $rest[0] ?? dirname( __DIR__, 2 ) . '/wpplugin', '/' );
	$target = $dir . '/languages/' . SMI_POT_DOMAIN . '.pot';

	list( $pot, $errors ) = smi_pot_build( $dir, gmdate( 'Y-m-d H:i' ) . '+0000' );
	foreach ( $errors as $error ) {
		fwrite( STDERR, $error . "\n" );
	}
	// The date and the file:line references do not make a template stale: only its strings do.
	$strip   = fn( string $s ) => preg_replace( '/^("POT-Creation-Date: .*|#: .*)\n/m', '', $s );
	$undated = fn( string $s ) => preg_replace( '/^"POT-Creation-Date: .*\n/m', '', $s );
	$current = is_file( $target ) ? (string) file_get_contents( $target ) : '';
	if ( $check ) {
		if ( $strip( $current ) !== $strip( $pot ) ) {
			fwrite( STDERR, "$target is out of date: run php scripts/wp/make-pot.php\n" );
			exit( 1 );
		}
		exit( $errors ? 1 : 0 );
	}
	if ( $undated( $current ) !== $undated( $pot ) ) {
		file_put_contents( $target, $pot );
		echo "wrote $target\n";
	}
	exit( $errors ? 1 : 0 );
}
