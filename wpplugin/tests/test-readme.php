<?php
/**
 * The readme.txt tells the truth about this build.
 *
 * @package SellMyImages
 */

class Test_SMI_Readme extends SMI_Test_Case {

	private function readme(): string {
		return (string) file_get_contents( SMI_PLUGIN_DIR . 'readme.txt' );
	}

	private function header( string $name ): string {
		$this->assertSame( 1, preg_match( '/^' . preg_quote( $name, '/' ) . ':\s*(.+)$/mi', $this->readme(), $m ), $name );
		return trim( $m[1] );
	}

	public function test_versions_match_the_plugin_and_the_installed_wordpress(): void {
		global $wp_version;
		$plugin = get_plugin_data( SMI_PLUGIN_FILE, false, false );
		$this->assertSame( $wp_version, $this->header( 'Tested up to' ), 'the WordPress the suite runs on' );
		$this->assertSame( $plugin['Version'], $this->header( 'Stable tag' ) );
		$this->assertSame( SMI_VERSION, $plugin['Version'] );
		$this->assertSame( $plugin['RequiresWP'], $this->header( 'Requires at least' ) );
		$this->assertSame( $plugin['RequiresPHP'], $this->header( 'Requires PHP' ) );
		$this->assertTrue( version_compare( PHP_VERSION, $plugin['RequiresPHP'], '>=' ) );
		$this->assertStringContainsString( '= ' . $plugin['Version'] . ' =', $this->readme(), 'a changelog entry for this version' );
	}

	public function test_installation_describes_the_yaml_config_and_the_settings_screen(): void {
		$readme = $this->readme();
		$this->assertStringNotContainsString( '.toml', $readme );
		$this->assertStringContainsString( 'YAML', $readme );
		$this->assertStringContainsString( 'api.secret', $readme );
		$this->assertStringContainsString( 'Sell My Images > Settings', $readme );
		$this->assertFileExists( dirname( SMI_PLUGIN_DIR ) . '/config.example.yaml' );
	}

	public function test_every_cli_subcommand_is_documented(): void {
		require_once __DIR__ . '/wp-cli-standin.php';
		require_once SMI_PLUGIN_DIR . 'includes/class-smi-cli.php';
		require_once SMI_PLUGIN_DIR . 'includes/class-smi-cli-jobs.php';
		foreach ( ( new ReflectionClass( 'SMI_CLI_Jobs' ) )->getMethods( ReflectionMethod::IS_PUBLIC ) as $method ) {
			if ( '__construct' !== $method->name ) {
				$this->assertStringContainsString( 'wp smi jobs ' . rtrim( $method->name, '_' ), $this->readme() );
			}
		}
		$this->assertStringContainsString( 'wp smi status', $this->readme() );
	}
}
