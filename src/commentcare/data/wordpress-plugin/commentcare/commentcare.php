<?php
/**
 * Plugin Name:       commentcare
 * Description:       Asks a local `commentcare serve` about each new comment: confident spam goes to spam, rants are held, praise and complaints follow your moderation settings. Stores the label, the respond-by time and a drafted reply, and sends your spam / not-spam clicks back as corrections. If the service is down, comments go through WordPress's normal moderation.
 * Version:           1.0.0
 * Requires at least: 5.6
 * Requires PHP:      7.4
 * License:           MIT
 * Text Domain:       commentcare
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

const COMMENTCARE_OPTION_URL     = 'commentcare_service_url';
const COMMENTCARE_OPTION_KEY     = 'commentcare_service_key';
const COMMENTCARE_OPTION_TIMEOUT = 'commentcare_timeout';
const COMMENTCARE_DEFAULT_URL    = 'http://127.0.0.1:8080';

/** The review of the comment being posted, between pre_comment_approved and comment_post. */
$GLOBALS['commentcare_pending'] = null;

// -- talking to the service -----------------------------------------------------------------

function commentcare_url( $path ) {
	$base = (string) get_option( COMMENTCARE_OPTION_URL, COMMENTCARE_DEFAULT_URL );
	return rtrim( $base !== '' ? $base : COMMENTCARE_DEFAULT_URL, '/' ) . $path;
}

/**
 * POST JSON to the service. Returns the decoded answer, or null when the service is down,
 * slow, refuses the key or answers nonsense: callers then leave WordPress to decide (fail open).
 */
function commentcare_post( $path, $payload ) {
	$headers = array( 'Content-Type' => 'application/json' );
	$key     = (string) get_option( COMMENTCARE_OPTION_KEY, '' );
	if ( $key !== '' ) {
		$headers['Authorization'] = 'Bearer ' . $key;
	}
	$timeout  = (float) get_option( COMMENTCARE_OPTION_TIMEOUT, 3 );
	$response = wp_remote_post(
		commentcare_url( $path ),
		array(
			'headers'     => $headers,
			'body'        => wp_json_encode( $payload ),
			'timeout'     => $timeout > 0 ? $timeout : 3,
			'redirection' => 0,
		)
	);
	if ( is_wp_error( $response ) ) {
		error_log( 'commentcare: the service did not answer (' . $response->get_error_message() . '); WordPress moderates as usual' );
		return null;
	}
	$code = (int) wp_remote_retrieve_response_code( $response );
	if ( $code !== 200 ) {
		error_log( 'commentcare: the service answered HTTP ' . $code . ' for ' . $path . '; WordPress moderates as usual' );
		return null;
	}
	$data = json_decode( wp_remote_retrieve_body( $response ), true );
	return is_array( $data ) ? $data : null;
}

// -- a new comment ----------------------------------------------------------------------------

/**
 * pre_comment_approved: ask the service. Confident spam -> 'spam'; spam it is unsure of and rants
 * -> held (0); praise, complaints and "none of the four" -> whatever WordPress had decided.
 */
function commentcare_pre_comment_approved( $approved, $commentdata ) {
	$GLOBALS['commentcare_pending'] = null;
	if ( is_wp_error( $approved ) || $approved === 'spam' || $approved === 'trash' ) {
		return $approved; // WordPress (or another plugin) has decided already
	}
	if ( ! empty( $commentdata['comment_type'] ) && $commentdata['comment_type'] !== 'comment' ) {
		return $approved; // pingbacks and trackbacks are not comments
	}
	if ( ! empty( $commentdata['user_id'] ) && user_can( (int) $commentdata['user_id'], 'moderate_comments' ) ) {
		return $approved; // the site's own moderators are not reviewed
	}
	$post_id = isset( $commentdata['comment_post_ID'] ) ? (int) $commentdata['comment_post_ID'] : 0;
	$comment = array( 'text' => (string) $commentdata['comment_content'] );
	$fields  = array(
		'author'       => 'comment_author',
		'author_email' => 'comment_author_email',
		'author_url'   => 'comment_author_url',
		'author_ip'    => 'comment_author_IP',
		'user_agent'   => 'comment_agent',
	);
	foreach ( $fields as $ours => $theirs ) {
		if ( isset( $commentdata[ $theirs ] ) && (string) $commentdata[ $theirs ] !== '' ) {
			$comment[ $ours ] = (string) $commentdata[ $theirs ];
		}
	}
	if ( $post_id ) {
		$comment['post_id']    = (string) $post_id;
		$comment['post_title'] = (string) get_the_title( $post_id );
		$comment['post_url']   = (string) get_permalink( $post_id );
	}
	if ( ! empty( $commentdata['comment_parent'] ) ) {
		$comment['parent_id'] = (string) $commentdata['comment_parent'];
	}
	$review = commentcare_post( '/v1/review', $comment );
	if ( ! is_array( $review ) || ! isset( $review['label'], $review['action'] ) ) {
		return $approved; // fail open: WordPress's own moderation decides
	}
	$GLOBALS['commentcare_pending'] = $review;
	if ( $review['label'] === 'spam' ) {
		return $review['action'] === 'remove' ? 'spam' : 0;
	}
	if ( $review['label'] === 'rant' ) {
		return 0;
	}
	return $approved;
}
add_filter( 'pre_comment_approved', 'commentcare_pre_comment_approved', 20, 2 );

/** comment_post: the comment has an id now; keep what the service said as comment meta. */
function commentcare_comment_post( $comment_id, $approved, $commentdata = array() ) {
	$review = $GLOBALS['commentcare_pending'];
	$GLOBALS['commentcare_pending'] = null;
	if ( ! is_array( $review ) ) {
		return;
	}
	$label = ! empty( $review['none_of_the_four'] ) ? 'none' : (string) $review['label'];
	update_comment_meta( $comment_id, 'commentcare_label', $label );
	update_comment_meta( $comment_id, 'commentcare_action', (string) $review['action'] );
	update_comment_meta( $comment_id, 'commentcare_confidence', (string) $review['confidence'] );
	update_comment_meta( $comment_id, 'commentcare_respond_by', isset( $review['respond_by'] ) ? (string) $review['respond_by'] : '' );
	$draft = '';
	if ( ! empty( $review['drafts'] ) && isset( $review['drafts'][0]['text'] ) ) {
		$draft = (string) $review['drafts'][0]['text'];
	}
	update_comment_meta( $comment_id, 'commentcare_draft', $draft );
	update_comment_meta( $comment_id, 'commentcare_model', isset( $review['model_version'] ) ? (string) $review['model_version'] : '' );
}
add_action( 'comment_post', 'commentcare_comment_post', 10, 3 );

// -- corrections: the moderator's spam / not-spam clicks ---------------------------------------

/**
 * transition_comment_status fires for every way a status changes (the Spam and Not Spam links,
 * bulk actions, the REST API, wp_spam_comment / wp_unspam_comment), so one hook hears them all.
 */
function commentcare_transition( $new_status, $old_status, $comment ) {
	if ( $new_status === $old_status || ! is_object( $comment ) ) {
		return;
	}
	$correction = null;
	if ( $new_status === 'spam' ) {
		$correction = 'spam';
	} elseif ( $old_status === 'spam' && in_array( $new_status, array( 'approved', 'unapproved' ), true ) ) {
		$correction = 'ham';
	}
	if ( $correction === null ) {
		return;
	}
	$verdict = get_comment_meta( $comment->comment_ID, 'commentcare_label', true );
	commentcare_post(
		'/v1/feedback',
		array(
			'text'       => (string) $comment->comment_content,
			'correction' => $correction,
			'verdict'    => ( $verdict !== '' ) ? (string) $verdict : null,
			'source'     => 'wordpress',
			'comment_id' => (string) $comment->comment_ID,
		)
	);
}
add_action( 'transition_comment_status', 'commentcare_transition', 10, 3 );

// -- the admin comments list ------------------------------------------------------------------

function commentcare_columns( $columns ) {
	$columns['commentcare'] = __( 'commentcare', 'commentcare' );
	return $columns;
}
add_filter( 'manage_edit-comments_columns', 'commentcare_columns' );

function commentcare_column( $column, $comment_id ) {
	if ( $column !== 'commentcare' ) {
		return;
	}
	$label = (string) get_comment_meta( $comment_id, 'commentcare_label', true );
	if ( $label === '' ) {
		echo '&mdash;';
		return;
	}
	echo '<strong class="commentcare-label">' . esc_html( $label ) . '</strong>';
	$by = (string) get_comment_meta( $comment_id, 'commentcare_respond_by', true );
	if ( $by !== '' ) {
		$stamp = strtotime( $by );
		$shown = $stamp ? wp_date( get_option( 'date_format' ) . ' ' . get_option( 'time_format' ), $stamp ) : $by;
		echo '<br><span class="commentcare-respond-by">' . esc_html__( 'respond by', 'commentcare' ) . ' ' . esc_html( $shown ) . '</span>';
	}
	$draft = (string) get_comment_meta( $comment_id, 'commentcare_draft', true );
	if ( $draft !== '' ) {
		echo '<details class="commentcare-draft"><summary>' . esc_html__( 'draft reply', 'commentcare' ) . '</summary>'
			. nl2br( esc_html( $draft ) ) . '</details>';
	}
}
add_action( 'manage_comments_custom_column', 'commentcare_column', 10, 2 );

// -- settings ---------------------------------------------------------------------------------

function commentcare_register_settings() {
	register_setting(
		'commentcare',
		COMMENTCARE_OPTION_URL,
		array(
			'type'              => 'string',
			'sanitize_callback' => 'esc_url_raw',
			'default'           => COMMENTCARE_DEFAULT_URL,
		)
	);
	register_setting(
		'commentcare',
		COMMENTCARE_OPTION_KEY,
		array(
			'type'              => 'string',
			'sanitize_callback' => 'sanitize_text_field',
			'default'           => '',
		)
	);
	add_settings_section( 'commentcare_service', __( 'The commentcare service', 'commentcare' ), '__return_false', 'commentcare' );
	add_settings_field( COMMENTCARE_OPTION_URL, __( 'Service URL', 'commentcare' ), 'commentcare_field_url', 'commentcare', 'commentcare_service' );
	add_settings_field( COMMENTCARE_OPTION_KEY, __( 'Key', 'commentcare' ), 'commentcare_field_key', 'commentcare', 'commentcare_service' );
}
add_action( 'admin_init', 'commentcare_register_settings' );

function commentcare_field_url() {
	printf(
		'<input type="url" class="regular-text" name="%1$s" id="%1$s" value="%2$s"><p class="description">%3$s</p>',
		esc_attr( COMMENTCARE_OPTION_URL ),
		esc_attr( (string) get_option( COMMENTCARE_OPTION_URL, COMMENTCARE_DEFAULT_URL ) ),
		esc_html__( 'Where `commentcare serve` listens, e.g. http://127.0.0.1:8080', 'commentcare' )
	);
}

function commentcare_field_key() {
	printf(
		'<input type="password" class="regular-text" autocomplete="off" name="%1$s" id="%1$s" value="%2$s"><p class="description">%3$s</p>',
		esc_attr( COMMENTCARE_OPTION_KEY ),
		esc_attr( (string) get_option( COMMENTCARE_OPTION_KEY, '' ) ),
		esc_html__( 'One of the keys the service was started with (--key); empty for a keyless service on this machine.', 'commentcare' )
	);
}

function commentcare_settings_page() {
	if ( ! current_user_can( 'manage_options' ) ) {
		return;
	}
	echo '<div class="wrap"><h1>' . esc_html__( 'commentcare', 'commentcare' ) . '</h1><form action="options.php" method="post">';
	settings_fields( 'commentcare' );
	do_settings_sections( 'commentcare' );
	submit_button();
	echo '</form></div>';
}

function commentcare_menu() {
	add_options_page( __( 'commentcare', 'commentcare' ), __( 'commentcare', 'commentcare' ), 'manage_options', 'commentcare', 'commentcare_settings_page' );
}
add_action( 'admin_menu', 'commentcare_menu' );
