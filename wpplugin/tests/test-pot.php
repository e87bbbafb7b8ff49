<?php
/**
 * The committed translation template is current, complete and valid.
 *
 * @package SellMyImages
 */

class Test_SMI_Pot extends SMI_Test_Case {

	private function script(): string {
		return dirname( SMI_PLUGIN_DIR ) . '/scripts/wp/make-pot.php';
	}

	/**
	 * Runs the generator; returns exit code and stderr.
	 *
	 * @param string[] $args Its arguments.
	 * @return array{0:int,1:string}
	 */
	private function run_script( array $args ): array {
		$proc = proc_open( array_merge( array( PHP_BINARY, $this->script() ), $args ), array( 1 => array( 'pipe', 'w' ), 2 => array( 'pipe', 'w' ) ), $pipes );
		stream_get_contents( $pipes[1] );
		$err = stream_get_contents( $pipes[2] );
		return array( proc_close( $proc ), (string) $err );
	}

	/**
	 * The msgids (with context) of a .pot, read back with gettext's msgcat.
	 *
	 * @param string $pot Path of the .pot.
	 */
	private function msgids( string $pot ): array {
		exec( 'msgcat --no-wrap --no-location --sort-output ' . escapeshellarg( $pot ) . ' 2>/dev/null', $lines );
		$ids = array();
		$ctx = '';
		foreach ( $lines as $line ) {
			if ( 0 === strpos( $line, 'msgctxt ' ) ) {
				$ctx = substr( $line, 8 );
			} elseif ( 0 === strpos( $line, 'msgid ' ) && 'msgid ""' !== $line ) {
				$ids[] = $ctx . '|' . substr( $line, 6 );
				$ctx   = '';
			}
		}
		return $ids;
	}

	private function have( string $tool ): bool {
		exec( 'command -v ' . escapeshellarg( $tool ), $out, $code );
		return 0 === $code;
	}

	public function test_the_committed_pot_is_current(): void {
		list( $code, $err ) = $this->run_script( array( '--check' ) );
		$this->assertSame( 0, $code, "run php scripts/wp/make-pot.php and commit the result:\n" . $err );
	}

	public function test_the_pot_has_every_string_xgettext_finds_and_is_valid(): void {
		$this->assertTrue( $this->have( 'xgettext' ) && $this->have( 'msgfmt' ), 'gettext tools are installed by scripts/deps.sh' );
		$pot = SMI_PLUGIN_DIR . 'languages/sell-my-images.pot';
		exec( 'msgfmt --check-format -o /dev/null ' . escapeshellarg( $pot ) . ' 2>&1', $out, $code );
		$this->assertSame( 0, $code, implode( "\n", $out ) );

		$reference = wp_tempnam( 'smi-xgettext' );
		$files     = array_merge( glob( SMI_PLUGIN_DIR . '*.php' ), glob( SMI_PLUGIN_DIR . 'includes/*.php' ) );
		$keywords  = array( '__', '_e', 'esc_html__', 'esc_html_e', 'esc_attr__', 'esc_attr_e', '_x:1,2c', '_ex:1,2c', 'esc_html_x:1,2c', 'esc_attr_x:1,2c', '_n:1,2', '_nx:1,2,4c', '_n_noop:1,2', '_nx_noop:1,2,3c' );
		exec( 'xgettext --language=PHP --from-code=UTF-8 --force-po ' . implode( ' ', array_map( fn( $k ) => '-k' . $k, $keywords ) ) . ' -o ' . escapeshellarg( $reference ) . ' ' . implode( ' ', array_map( 'escapeshellarg', $files ) ), $out, $code );
		$this->assertSame( 0, $code );
		$ours   = $this->msgids( $pot );
		$theirs = $this->msgids( $reference );
		unlink( $reference );
		$this->assertGreaterThan( 300, count( $theirs ) );
		$this->assertSame( array(), array_values( array_diff( $theirs, $ours ) ), 'strings xgettext finds but the .pot lacks' );
		// Ours adds only the plugin header's fields.
		$this->assertEqualsCanonicalizing(
			array( '|"https://github.com/sell-my-images/smi"', '|"' . get_plugin_data( SMI_PLUGIN_FILE, false, false )['Description'] . '"' ),
			array_values( array_diff( $ours, $theirs ) )
		);
	}

	public function test_check_fails_on_a_new_string_and_names_a_missing_translators_comment(): void {
		$dir = wp_tempnam( 'smi-pot' );
		unlink( $dir );
		mkdir( $dir . '/includes', 0777, true );
		mkdir( $dir . '/languages' );
		file_put_contents( $dir . '/sell-my-images.php', "<?php\n/**\n * Plugin Name: Sell My Images\n * Version: 9.9\n */\n// translators: the shop's name.\n_e( 'Hello \"shop\"', 'sell-my-images' );\n" );
		file_put_contents( $dir . '/includes/a.php', "<?php\necho esc_html_x( 'Post', 'noun', 'sell-my-images' ) . __( 'Other domain', 'default' );\nprintf( _n( '%d job', '%d jobs', \$n, 'sell-my-images' ), \$n );\n" );

		list( $code, $err ) = $this->run_script( array( $dir ) );
		$this->assertSame( 1, $code );
		$this->assertStringContainsString( 'includes/a.php:3: "%d job" has placeholders but no translators: comment', $err );
		$pot = (string) file_get_contents( $dir . '/languages/sell-my-images.pot' );
		$this->assertStringContainsString( "#. translators: the shop's name.\n#: sell-my-images.php:7\nmsgid \"Hello \\\"shop\\\"\"", $pot );
		$this->assertStringContainsString( "msgctxt \"noun\"\nmsgid \"Post\"", $pot );
		$this->assertStringContainsString( "msgid \"%d job\"\nmsgid_plural \"%d jobs\"\nmsgstr[0] \"\"", $pot );
		$this->assertStringNotContainsString( 'Other domain', $pot );
		$this->assertStringContainsString( '"Project-Id-Version: Sell My Images 9.9\n"', $pot );

		file_put_contents( $dir . '/includes/a.php', str_replace( 'printf(', "// translators: %d: number of jobs.\nprintf(", (string) file_get_contents( $dir . '/includes/a.php' ) ) );
		$this->assertSame( 0, $this->run_script( array( $dir ) )[0], 'with its comment the string is fine' );
		file_put_contents( $dir . '/includes/a.php', str_replace( "<?php\n", "<?php\n\n// Moved down two lines.\n", (string) file_get_contents( $dir . '/includes/a.php' ) ) );
		$this->assertSame( 0, $this->run_script( array( '--check', $dir ) )[0], 'moved code does not make the template stale' );
		file_put_contents( $dir . '/includes/b.php', "<?php\n__( 'Brand new', 'sell-my-images' );\n" );
		list( $code, $err ) = $this->run_script( array( '--check', $dir ) );
		$this->assertSame( 1, $code );
		$this->assertStringContainsString( 'is out of date', $err );
		array_map( 'unlink', array_merge( glob( $dir . '/*/*' ), glob( $dir . '/*.php' ) ) );
		array_map( 'rmdir', glob( $dir . '/*' ) );
		rmdir( $dir );
	}
}
